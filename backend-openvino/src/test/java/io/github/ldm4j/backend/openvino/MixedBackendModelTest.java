package io.github.ldm4j.backend.openvino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.backend.onnx.OnnxBackendProvider;
import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.backend.openvino.emulator.OvEmulator;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.pipeline.LatentDiffusion;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.Backends;
import io.github.ldm4j.spi.Feed;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.Placement;
import io.github.ldm4j.spi.contract.NetworkFirstStage;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One model on two backends: the UNet on ONNX Runtime, the text encoder and the VAE (decoder and
 * encoder) on the openvino backend (bound to the emulator), configured as a user configures it —
 * model backend {@code onnx}, {@code BackendOptions.DEFAULTS.withPlacement(TEXT_ENCODER, new
 * Placement("openvino", "CPU"))} and so on — generates the images of the all-ONNX model, text to
 * image and image to image, on the tiny SD and on the shapes demo model.
 *
 * <p>Each backend is looked up through a {@link Recording} provider, which records the components
 * (and devices) it was asked for and the networks it returned: so the test sees that each network
 * came from the backend it was placed on, that the model runs those very networks, and that closing
 * the generator closes the networks of both backends.
 *
 * <p>The emulator computes with ONNX Runtime on the same ONNX files, so the mixed model must give
 * the all-ONNX results to the bit: measured identical — the context, VAE encoder mean and VAE
 * decoder output max |Δ| = 0, and every image equal (mean absolute 8-bit difference 0), on both
 * models. (On a real OpenVINO the bound would be {@link RealOpenVinoConformanceTest}'s, not 0.)
 */
class MixedBackendModelTest {

  private static final Set<ModelComponent> ON_OPENVINO =
      Set.of(ModelComponent.TEXT_ENCODER, ModelComponent.VAE_DECODER, ModelComponent.VAE_ENCODER);

  private OvEmulator emulator;

  @BeforeEach
  void startEmulator() {
    emulator = new OvEmulator(List.of("CPU"));
  }

  @AfterEach
  void checkOwnership() {
    assertThat(emulator.problems()).isEmpty();
    emulator.close();
  }

  /** A model: its folder, image size, steps, prompt and an init image for img2img. */
  record Case(String name, Path dir, int size, int steps, String prompt, RgbImage init) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> models() {
    int shapes = 128;
    return Stream.of(
        Arguments.of(new Case("tiny SD", TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32), 64, 4,
            "a red circle", pattern(64))),
        Arguments.of(new Case("shapes demo model", TestModels.shapes(shapes), shapes, 12, "a red circle",
            new RgbImage(shapes, shapes,
                ShapesDataset.of(shapes).image(ShapesDataset.index(ShapeColour.BLUE, ShapeKind.SQUARE))))));
  }

  /** Records what a provider was asked to open and what it returned. */
  static final class Recording implements BackendProvider {
    final BackendProvider delegate;
    final Map<ModelComponent, String> requested = new EnumMap<>(ModelComponent.class);
    final Map<ModelComponent, Network> opened = new EnumMap<>(ModelComponent.class);

    Recording(BackendProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public boolean isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public Set<ModelFolder.Format> formats() {
      return delegate.formats();
    }

    @Override
    public synchronized NetworkSet open(NetworkRequest request) throws IOException {
      NetworkSet set = delegate.open(request);
      requested.putAll(request.devices());
      opened.putAll(set.networks());
      return set;
    }

    @Override
    public NetworkDescription describe(ModelFolder folder, ModelComponent component, BackendOptions options)
        throws IOException {
      return delegate.describe(folder, component, options);
    }
  }

  /** The backends as a user's lookup finds them, each wrapped in a {@link Recording}, by name. */
  private Map<String, Recording> backends() {
    Map<String, Recording> m = new LinkedHashMap<>();
    m.put(OnnxBackendProvider.NAME, new Recording(Backends.find(OnnxBackendProvider.NAME)));
    m.put(OpenVinoBackendProvider.NAME,
        new Recording(new OpenVinoBackendProvider(emulator.runtime(), OpenVinoOptions.DEFAULTS)));
    return m;
  }

  private static Function<String, BackendProvider> lookup(Map<String, Recording> backends) {
    return name -> {
      Recording r = backends.get(name);
      if (r == null) {
        throw new IllegalArgumentException("unexpected backend " + name);
      }
      return r;
    };
  }

  /** The text encoder and the VAE on {@code openvino:CPU}; the UNet on the model's backend. */
  static BackendOptions mixedPlacement() {
    Placement openVinoCpu = new Placement(OpenVinoBackendProvider.NAME, "CPU");
    return BackendOptions.DEFAULTS
        .withPlacement(ModelComponent.TEXT_ENCODER, openVinoCpu)
        .withPlacement(ModelComponent.VAE_DECODER, openVinoCpu)
        .withPlacement(ModelComponent.VAE_ENCODER, openVinoCpu);
  }

  private static List<RgbImage> generate(Generator g, Case c) {
    GenerationSettings s = GenerationSettings.builder().size(c.size(), c.size()).steps(c.steps())
        .sampler("euler", "karras").seed(7, RngKind.TORCH).build();
    List<RgbImage> out = new ArrayList<>();
    out.add(g.generate(new GenerationRequest.TextToImage(c.prompt(), "", s)).images().getFirst().image());
    out.add(g.generate(new GenerationRequest.ImageToImage(c.prompt(), "", s, c.init(), 0.6)).images().getFirst().image());
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void aModelWithTheUNetOnOnnxAndTheRestOnOpenVinoGeneratesTheAllOnnxImages(Case c) throws IOException {
    Map<String, Recording> allOnnxBackends = backends();
    Map<String, Recording> backends = backends();
    Recording onnx = backends.get(OnnxBackendProvider.NAME);
    Recording openVino = backends.get(OpenVinoBackendProvider.NAME);
    Generator mixed;
    List<RgbImage> allOnnx;
    List<RgbImage> images;
    try (Generator reference = ModelAssembler.open(c.dir(), OnnxBackendProvider.NAME, BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS, lookup(allOnnxBackends))) {
      allOnnx = generate(reference, c); // txt2img, then img2img, which opens the (lazy) VAE encoder
      assertThat(allOnnxBackends.get(OnnxBackendProvider.NAME).requested).containsOnlyKeys(ModelComponent.values());
      assertThat(allOnnxBackends.get(OpenVinoBackendProvider.NAME).requested).isEmpty();

      mixed = ModelAssembler.open(c.dir(), OnnxBackendProvider.NAME, mixedPlacement(), GenerationLimits.DEFAULTS,
          lookup(backends));
      try {
        // each network came from the backend it was placed on, on the device asked for ...
        // (the VAE encoder is opened on first use: not yet)
        assertThat(onnx.requested).isEqualTo(Map.of(ModelComponent.UNET, "cpu"));
        assertThat(openVino.requested).isEqualTo(Map.of(ModelComponent.TEXT_ENCODER, "CPU", ModelComponent.VAE_DECODER, "CPU"));
        NetworkFirstStage vae = (NetworkFirstStage) mixed.model().firstStage();
        assertThat(vae.encoder()).containsInstanceOf(io.github.ldm4j.spi.LazyNetwork.class);
        assertThat(((io.github.ldm4j.spi.LazyNetwork) vae.encoder().orElseThrow()).isOpen()).isFalse();
        mixed.model().firstStage().encode(c.init().toTensor()); // opens it, on the backend it was placed on
        assertThat(openVino.requested).isEqualTo(Map.of(
            ModelComponent.TEXT_ENCODER, "CPU", ModelComponent.VAE_DECODER, "CPU", ModelComponent.VAE_ENCODER, "CPU"));
        assertThat(onnx.opened.get(ModelComponent.UNET)).isInstanceOf(OnnxSession.class);
        assertThat(openVino.opened.keySet()).isEqualTo(ON_OPENVINO);
        assertThat(openVino.opened.values()).allSatisfy(n -> assertThat(n).isInstanceOf(OvNetwork.class));
        // ... and the model runs those very networks
        assertThat(vae.decoder()).isSameAs(openVino.opened.get(ModelComponent.VAE_DECODER));
        assertThat(((io.github.ldm4j.spi.LazyNetwork) vae.encoder().orElseThrow()).isOpen()).isTrue();

        // the OpenVINO networks compute the ONNX Runtime floats, to the bit
        LatentDiffusion m = mixed.model();
        LatentDiffusion r = reference.model();
        assertBitwise("context", m.condStage().getLearnedConditioning(List.of(c.prompt(), "")),
            r.condStage().getLearnedConditioning(List.of(c.prompt(), "")));
        Tensor pixels = c.init().toTensor();
        assertBitwise("vae encoder mean", m.firstStage().encode(pixels).mean(), r.firstStage().encode(pixels).mean());
        Tensor z = RngKind.TORCH.create(3).randn(1, 4, c.size() / 8, c.size() / 8);
        assertBitwise("vae decoder", m.firstStage().decode(z), r.firstStage().decode(z));

        images = generate(mixed, c);

        // OpenVINO compiled and ran the text encoder and the VAE, never the UNet
        assertThat(emulator.inferences()).isPositive();
        List<OvEmulator.CompileCall> compiles = emulator.compiles();
        assertThat(compiles).isNotEmpty().allSatisfy(call -> assertThat(call.inputShapes())
            .noneMatch(s -> s.startsWith("encoder_hidden_states") || s.startsWith("timestep")));
        for (String input : List.of("input_ids[", "latent_sample[", "sample[")) {
          assertThat(compiles).as("a compile of the network taking " + input)
              .anySatisfy(call -> assertThat(call.inputShapes()).anyMatch(s -> s.startsWith(input)));
        }
        // open until the generator closes
        assertThat(((OnnxSession) onnx.opened.get(ModelComponent.UNET)).isClosed()).isFalse();
        assertThat(emulator.live()).containsKeys("ov_core_t", "ov_model_t", "ov_compiled_model_t");
      } finally {
        mixed.close();
      }
    }

    // the mixed model makes the all-ONNX images, to the bit
    for (int i = 0; i < images.size(); i++) {
      String kind = i == 0 ? "txt2img" : "img2img";
      double mae = images.get(i).meanAbsoluteError(allOnnx.get(i));
      System.out.printf("MixedBackendModelTest %s %s: mean |mixed - all-onnx| = %.4f (0..255)%n", c, kind, mae);
      assertThat(images.get(i)).as("%s %s (MAE %.4f)", c, kind, mae).isEqualTo(allOnnx.get(i));
    }
    assertThat(images.get(0)).as("img2img is not txt2img").isNotEqualTo(images.get(1));

    // closing the generator closed the networks of both backends
    assertThat(mixed.model().isClosed()).isTrue();
    assertThat(((OnnxSession) onnx.opened.get(ModelComponent.UNET)).isClosed()).isTrue();
    assertThat(emulator.live()).as("OpenVINO handles left after close").isEmpty();
    assertThat(emulator.frees()).isEqualTo(emulator.allocations());
    for (Network n : openVino.opened.values()) {
      assertThatThrownBy(() -> n.run(Map.of("x", new Feed.Floats(Tensor.zeros(1))), List.of("y")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
    mixed.close();
  }

  private static void assertBitwise(String what, Tensor actual, Tensor expected) {
    assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
    assertThat(actual.maxAbsDiff(expected)).as(what + " max |mixed - all-onnx|").isZero();
    assertThat(actual.toArray()).as(what).containsExactly(expected.toArray());
  }

  /** A deterministic colour pattern. */
  private static RgbImage pattern(int size) {
    byte[] rgb = new byte[size * size * 3];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        for (int ch = 0; ch < 3; ch++) {
          rgb[(y * size + x) * 3 + ch] = (byte) (x * 4 + y * 2 * ch + 60 * ch);
        }
      }
    }
    return new RgbImage(size, size, rgb);
  }
}
