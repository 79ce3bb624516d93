package io.github.ldm4j.backend.openvino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.contract.NetworkUNet;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the openvino backend must do on any OpenVINO runtime — the emulator ({@link
 * EmulatedOpenVinoConformanceTest}, always) or a real one ({@link RealOpenVinoConformanceTest},
 * when {@code ldm4j.openvino.library} is set): agree with the onnx backend on the testkit tiny SD in
 * every export flavor, compile each static shape once within a bounded cache, serve concurrent
 * callers from a request pool, free everything on close, and make the shapes oracle's red circle
 * through the {@link Generator} as the onnx backend does, and give the onnx backend's CLIP-skip
 * context for an ONNX text encoder.
 *
 * <p>The networks are opened with {@link OpenVinoBackend#open(io.github.ldm4j.spi.NetworkRequest,
 * OpenVinoOptions, OpenVinoRuntime)} and adapted as the assembler adapts them ({@link
 * AdaptedNetworks}); whole models through {@link ModelAssembler} with a provider bound to {@link
 * #runtime()}. The backend-neutral suite ({@code BackendConformanceTest}, from the generate module's
 * test jar) runs separately: {@link OpenVinoEmulatorConformanceTest}, {@link
 * RealOpenVinoSuiteConformanceTest}.
 */
abstract class OpenVinoConformance {

  /** The runtime under test, fresh for each test where that is cheap. */
  protected abstract OpenVinoRuntime runtime();

  /** Options for this runtime (a real CPU is pinned to f32 so it is comparable with ONNX Runtime). */
  protected OpenVinoOptions options() {
    return OpenVinoOptions.DEFAULTS;
  }

  /** Allowed max |Δ| against the onnx backend, relative to max(1, max |expected|). */
  protected abstract double tolerance();

  /** Allowed mean absolute 8-bit difference between the two backends' red circles. */
  protected abstract double imageTolerance();

  static Tensor random(long seed, int... dims) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(dims);
    for (int i = 0; i < t.size(); i++) {
      t.set(i, (float) r.nextGaussian());
    }
    return t;
  }

  static int[][] ids(int batch) {
    int[][] ids = new int[batch][77];
    for (int b = 0; b < batch; b++) {
      Arrays.fill(ids[b], 49407);
      ids[b][0] = 49406;
      ids[b][1] = 320 + b;
      ids[b][2] = 736;
    }
    return ids;
  }

  AdaptedNetworks openVino(Path dir, OpenVinoOptions options) throws IOException {
    return AdaptedNetworks.openVino(runtime(), dir, options);
  }

  /** The openvino provider bound to {@link #runtime()} with {@link #options()}. */
  OpenVinoBackendProvider provider() {
    return new OpenVinoBackendProvider(runtime(), options());
  }

  /** {@code dir} opened through the assembler with every network on this runtime. */
  Generator openVinoGenerator(Path dir) throws IOException {
    OpenVinoBackendProvider p = provider();
    return ModelAssembler.open(dir, OpenVinoBackendProvider.NAME, BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS,
        name -> p);
  }

  static Stream<Arguments> flavors() {
    return Stream.of(
        Arguments.of(ExportFlavor.OPTIMUM, Precision.FP32),
        Arguments.of(ExportFlavor.LEGACY, Precision.FP32),
        Arguments.of(ExportFlavor.OPENVINO, Precision.FP32),
        Arguments.of(ExportFlavor.OPTIMUM, Precision.FP16));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("flavors")
  void agreesWithTheOnnxBackend(ExportFlavor flavor, Precision precision) throws Exception {
    Path dir = TestModels.tinySd(flavor, precision);
    double tol = precision == Precision.FP16 ? Math.max(tolerance(), 1e-5) : tolerance();
    try (AdaptedNetworks onnx = AdaptedNetworks.onnx(dir);
        AdaptedNetworks ov = openVino(dir, options())) {
      assertThat(ov.unet().conditioningKey()).isEqualTo(onnx.unet().conditioningKey());
      assertThat(ov.unet().inChannels()).isEqualTo(onnx.unet().inChannels());
      assertThat(ov.textEncoder().maxLength()).isEqualTo(77);
      TextEncoding te1 = onnx.textEncoder().encode(ids(2));
      TextEncoding te2 = ov.textEncoder().encode(ids(2));
      assertClose(te2.lastHiddenState(), te1.lastHiddenState(), tol, "last_hidden_state");
      assertClose(te2.pooled().orElseThrow(), te1.pooled().orElseThrow(), tol, "pooler_output");

      Tensor x = random(1, 2, 4, 8, 8);
      Tensor t = Tensor.of(new float[] {500, 500}, 2);
      Tensor ctx = te1.lastHiddenState();
      assertClose(ov.unet().forward(x, t, Optional.of(ctx)), onnx.unet().forward(x, t, Optional.of(ctx)), tol, "unet");

      Tensor z = random(2, 1, 4, 8, 8);
      assertClose(ov.firstStage().decode(z), onnx.firstStage().decode(z), tol, "vae_decoder");
      Tensor img = random(3, 1, 3, 64, 64).scale(0.5);
      LatentDistribution d1 = onnx.firstStage().encode(img);
      LatentDistribution d2 = ov.firstStage().encode(img);
      assertClose(d2.mean(), d1.mean(), tol, "vae_encoder mean");
    }
  }

  static void assertClose(Tensor actual, Tensor expected, double tolerance, String what) {
    assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
    assertThat(actual.allFinite()).as(what + " finite").isTrue();
    double scale = Math.max(1, expected.map(Math::abs).max());
    assertThat(actual.maxAbsDiff(expected)).as(what + " max |Δ|").isLessThanOrEqualTo(tolerance * scale);
  }

  /**
   * With a cache of 2 compiled shapes: [1,4,8,8] twice (one compile), [2,4,8,8], [1,4,16,16] (which
   * evicts [1,4,8,8]) and [1,4,8,8] again (compiled anew, same result). Asserts the compile counts.
   */
  static void compileCacheScenario(AdaptedNetworks networks) {
    NetworkUNet unet = networks.unet();
    var network = networks.ovUnet();
    Tensor ctx1 = random(4, 1, 77, 32);
    Tensor ctx2 = random(5, 2, 77, 32);
    Tensor x1 = random(6, 1, 4, 8, 8);
    Tensor first = unet.forward(x1, Tensor.of(new float[] {10}, 1), Optional.of(ctx1));
    unet.forward(x1, Tensor.of(new float[] {20}, 1), Optional.of(ctx1));
    assertThat(network.compiles()).isEqualTo(1);
    unet.forward(random(7, 2, 4, 8, 8), Tensor.of(new float[] {10, 20}, 2), Optional.of(ctx2));
    assertThat(network.compiles()).isEqualTo(2);
    unet.forward(random(8, 1, 4, 16, 16), Tensor.of(new float[] {10}, 1), Optional.of(ctx1));
    assertThat(network.compiles()).isEqualTo(3);
    assertThat(network.cachedShapes()).isEqualTo(2);
    Tensor again = unet.forward(x1, Tensor.of(new float[] {10}, 1), Optional.of(ctx1));
    assertThat(network.compiles()).isEqualTo(4);
    assertThat(again.maxAbsDiff(first)).isZero();
  }

  @Test
  void compilesEachStaticShapeOnceInABoundedCache() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.LEGACY, Precision.FP32);
    try (AdaptedNetworks ov = openVino(dir, options().withCompiledShapes(2))) {
      compileCacheScenario(ov);
    }
  }

  @Test
  void concurrentInferencesShareAPoolOfRequests() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.LEGACY, Precision.FP32);
    try (AdaptedNetworks ov = openVino(dir, options().withInferRequests(2))) {
      int n = 6;
      List<Tensor> xs = new ArrayList<>();
      List<Tensor> expected = new ArrayList<>();
      Tensor ctx = random(18, 1, 77, 32);
      for (int i = 0; i < n; i++) {
        xs.add(random(100 + i, 1, 4, 8, 8));
        expected.add(ov.unet().forward(xs.get(i), Tensor.of(new float[] {i * 100}, 1), Optional.of(ctx)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Tensor>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          int k = i;
          fs.add(pool.submit(() -> ov.unet().forward(xs.get(k), Tensor.of(new float[] {k * 100}, 1), Optional.of(ctx))));
        }
        for (int i = 0; i < n; i++) {
          assertThat(fs.get(i).get().maxAbsDiff(expected.get(i))).as("thread result " + i).isZero();
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void closingIsIdempotentAndFinal() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32);
    AdaptedNetworks ov = openVino(dir, options());
    ov.unet().forward(random(19, 1, 4, 8, 8), Tensor.of(new float[] {3}, 1), Optional.of(random(20, 1, 77, 32)));
    ov.textEncoder().close();
    ov.close();
    ov.close();
    assertThatThrownBy(() -> ov.firstStage().decode(random(21, 1, 4, 8, 8))).hasMessageContaining("closed");
  }

  /**
   * CLIP skip 2 on an ONNX text encoder that exposes its hidden states: the penultimate layer
   * through the final layer norm, whose parameters the shared adapter reads from the ONNX file —
   * the same context as the onnx backend's.
   */
  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.EnumSource(ExportFlavor.class)
  void clipSkipTwoGivesTheOnnxBackendsContext(ExportFlavor flavor) throws Exception {
    Path dir = TestModels.tinySdWithHiddenStates(flavor);
    int[][] ids = ids(2);
    try (AdaptedNetworks onnx = AdaptedNetworks.onnx(dir); AdaptedNetworks ov = openVino(dir, options())) {
      assertThat(ov.textEncoder().exposesHiddenStates()).isTrue();
      assertThat(ov.textEncoder().finalLayerNorm()).isPresent();
      Tensor expected = onnx.textEncoder().encodeContext(ids, 2);
      Tensor actual = ov.textEncoder().encodeContext(ids, 2);
      assertClose(actual, expected, tolerance(), "clip skip 2 context");
      assertThat(actual.maxAbsDiff(ov.textEncoder().encodeContext(ids, 1))).as("skip 2 is not the last layer")
          .isGreaterThan(0.1);
    }
  }

  private static RgbImage redCircle(Generator g, int size) {
    GenerationSettings s = GenerationSettings.builder().size(size, size).steps(20).sampler("euler", "karras").build();
    return g.generate(new GenerationRequest.TextToImage("a red circle", "", s)).images().getFirst().image();
  }

  @Test
  void makesTheRedCircleThroughTheGenerator() throws Exception {
    int size = 128;
    Path dir = TestModels.shapes(size);
    RgbImage viaOnnx;
    try (Generator g = ModelAssembler.open(dir, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      viaOnnx = redCircle(g, size);
    }
    RgbImage viaOpenVino;
    try (Generator g = openVinoGenerator(dir)) {
      viaOpenVino = redCircle(g, size);
    }
    RgbImage expected = new RgbImage(size, size,
        ShapesDataset.of(size).image(ShapesDataset.index(ShapeColour.RED, ShapeKind.CIRCLE)));
    assertThat(viaOpenVino.meanAbsoluteError(expected)).isLessThan(10);
    assertThat(viaOpenVino.meanAbsoluteError(viaOnnx)).isLessThanOrEqualTo(imageTolerance());
  }
}
