package io.github.ldm4j.backend.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import io.github.ldm4j.export.onnx.Ops;
import io.github.ldm4j.export.onnx.TensorType;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.pipeline.LatentDiffusion;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.contract.NetworkUNet;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testkit.sd.SdModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every ldm4j backend meets, checked on the testkit's tiny SD model (seeded random
 * weights, 64 px, latent 8×8) in every {@link ExportFlavor}, {@link Precision} and {@link
 * PipelineVariant}. A backend runs it with a subclass that implements {@link #open(Path)} and
 * {@link #provider()}; {@link #supports} lets it leave out folders it cannot read.
 *
 * <p>What is checked: contracts adapt (conditioning key, channels, encoder output kind), outputs
 * are finite and bitwise deterministic, a batch of N equals N single calls (UNet, text encoder, VAE
 * and whole generations), fp16 tracks fp32 on the same weights, the three timestep forms, closing,
 * concurrent generation, native memory over repeated open/close, and the errors for broken folders
 * and unsupported contracts.
 *
 * <p>Model folders are written once per class, on first use, into a class-wide temporary folder;
 * opened components are shared by the tests of the class and closed after them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformanceTest {

  /**
   * fp16 vs fp32 on the same weights and inputs: max |fp16 − fp32| ≤ this × max |fp32| per
   * component output. Measured with ONNX Runtime 1.29 CPU (relative): UNet 3.0e-3, VAE decoder
   * 2.2e-3, VAE encoder 1.1e-3, text encoder 1.0e-3 (fp16 graphs compute in fp16 through 20–40
   * layers).
   */
  protected static final double FP16_RELATIVE_TOLERANCE = 0.01;

  /**
   * A batch of N vs N single calls of a float32 model: max abs difference ≤ this × max |output|.
   * ONNX Runtime CPU is bitwise equal (measured 0); other backends may tile batched matrix products
   * differently.
   */
  protected static final double BATCH_RELATIVE_TOLERANCE_FP32 = 1e-5;

  /**
   * The same for a float16 model: four float16 ulps (4 · 2⁻¹⁰) of the output scale, room for other
   * CPUs' kernels. ONNX Runtime CPU differs by up to one ulp (measured 1.07e-3 relative) where
   * batched fp16 kernels sum in another order; a wrongly batched item would be off by O(1).
   */
  protected static final double BATCH_RELATIVE_TOLERANCE_FP16 = 0x1p-8;

  /**
   * Growth of resident memory outside the Java heap allowed over {@link #OPEN_CLOSE_CYCLES}
   * open/use/close cycles after warm-up. ONNX Runtime CPU measured 4–9 MiB (glibc arena
   * fragmentation; the bytes in use stay flat); one leaked tiny-SD session per cycle would be
   * about 700 MiB.
   */
  protected static final long RSS_GROWTH_LIMIT_BYTES = 64L << 20;

  /**
   * Growth of glibc's allocated bytes allowed over the same cycles (ONNX Runtime CPU: about ±2 MiB;
   * the OpenVINO emulator: 0.5–21 MiB in single windows on a loaded 2-core machine, hence the
   * smaller of two windows is what is checked).
   */
  protected static final long MALLOC_GROWTH_LIMIT_BYTES = 16L << 20;

  /** Open/close cycles of the native-memory check. */
  protected static final int OPEN_CLOSE_CYCLES = 50;

  private static final int LATENT = 8;
  private static final int IMAGE = LATENT * 8;
  private static final int CONTEXT_DIM = 32;
  private static final int TOKENS = 77;

  /** Class-wide temporary folder (static, so that it exists before {@link #setUpModels}). */
  @TempDir static Path root;

  private ConformanceModels models;
  private final Map<ConformanceCase, Generator> opened = new LinkedHashMap<>();
  private final Map<String, Double> measured = new LinkedHashMap<>();

  /**
   * The backend's provider under test (as {@link java.util.ServiceLoader} finds it, or bound to a
   * runtime of the test's). Every network of every model of the suite comes from it.
   */
  protected abstract BackendProvider provider();

  /** The backend-neutral options the suite opens models with; the defaults (CPU) unless overridden. */
  protected BackendOptions options() {
    return BackendOptions.DEFAULTS;
  }

  /**
   * Opens the model folder {@code modelDir} through the one assembler with every network from
   * {@link #provider()}. The caller owns the result.
   */
  protected final Generator openGenerator(Path modelDir) throws IOException {
    BackendProvider p = provider();
    return ModelAssembler.open(modelDir, p.name(), options(), GenerationLimits.DEFAULTS, name -> p);
  }

  /** The model of {@link #openGenerator}; the caller owns it. */
  protected final LatentDiffusion open(Path modelDir) throws IOException {
    return openGenerator(modelDir).model();
  }

  /**
   * Open/use/close cycles run before the native-memory check starts measuring: 5 by default, enough
   * for ONNX Runtime. A backend whose per-open path is many small FFM calls may need more for the
   * JIT (and its native bookkeeping) to settle; an override says what was measured.
   */
  protected int warmUpCycles() {
    return 5;
  }

  /** Whether the backend can read the case's folder; all by default. */
  protected boolean supports(ConformanceCase c) {
    return true;
  }

  @BeforeAll
  void setUpModels() {
    models = new ConformanceModels(root.resolve(getClass().getSimpleName()));
  }

  @AfterAll
  void closeModels() {
    opened.values().forEach(Generator::close);
    opened.clear();
    if (!measured.isEmpty()) {
      StringBuilder line = new StringBuilder(getClass().getSimpleName()).append(" measured:");
      measured.forEach((k, v) -> line.append(String.format(java.util.Locale.ROOT, " %s=%.3g;", k, v)));
      System.out.println(line);
    }
  }

  /** The cases this backend supports. */
  Stream<ConformanceCase> cases() {
    return ConformanceCase.all().stream().filter(this::supports);
  }

  /** The float32 cases whose float16 twin is supported too. */
  Stream<ConformanceCase> fp32CasesWithFp16Twin() {
    return cases().filter(c -> c.precision() == Precision.FP32 && supports(c.withPrecision(Precision.FP16)));
  }

  /** The folder of {@code c}, written on first use. */
  protected final Path folder(ConformanceCase c) {
    return models.folder(c);
  }

  /**
   * The shared generator of {@code c}, owning the case's components: opened on first use, closed
   * after the class.
   */
  protected final synchronized Generator generator(ConformanceCase c) throws IOException {
    Generator g = opened.get(c);
    if (g == null) {
      g = openGenerator(folder(c));
      opened.put(c, g);
    }
    return g;
  }

  /** The shared components of {@code c} (those of {@link #generator}). */
  protected final LatentDiffusion components(ConformanceCase c) throws IOException {
    return generator(c).model();
  }

  private void measure(String what, double value) {
    synchronized (measured) {
      measured.merge(what, value, Math::max);
    }
  }

  // ================================================================== contracts

  @ParameterizedTest
  @MethodSource("cases")
  void contractsAdaptToTheExport(ConformanceCase c) throws IOException {
    LatentDiffusion m = components(c);
    Denoiser d = m.denoiser();
    assertThat(d.conditioningKey()).isEqualTo(c.inpainting() ? ConditioningKey.HYBRID : ConditioningKey.CROSSATTN);
    assertThat(d.latentChannels()).isEqualTo(4);
    assertThat(d.parameterization()).isEqualTo(Parameterization.EPS);
    assertThat(m.schedule().timesteps()).isEqualTo(1000);
    assertThat(m.name()).isEqualTo(c.id());

    FirstStage vae = m.firstStage();
    assertThat(vae.latentChannels()).isEqualTo(4);
    assertThat(vae.downsamplingFactor()).isEqualTo(8);
    assertThat(vae.scaleFactor()).isEqualTo(SdModel.SCALING_FACTOR);
    assertThat(vae.canEncode()).isTrue();

    LatentDistribution dist = vae.encode(image(1, 3));
    assertThat(dist.mean().shape().toLongArray()).containsExactly(1, 4, LATENT, LATENT);
    // legacy exports return a sampled latent_sample, optimum-style ones latent_parameters (mean ‖ logvar)
    assertThat(dist.logVariance().isPresent()).isEqualTo(c.flavor().encoderOutputsParameters());
    assertThat(vae.decode(latent(2, 4)).shape().toLongArray()).containsExactly(2, 3, IMAGE, IMAGE);

    Tensor ctx = m.condStage().getLearnedConditioning(List.of("a red circle"));
    assertThat(ctx.shape().toLongArray()).containsExactly(1, TOKENS, CONTEXT_DIM);
    Tensor eps = d.applyModel(latent(1, 5), timesteps(c, 1), conditioning(c, ctx, 1, 6));
    assertThat(eps.shape().toLongArray()).containsExactly(1, 4, LATENT, LATENT);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void outputsAreFiniteAndBitwiseDeterministic(ConformanceCase c) throws IOException {
    LatentDiffusion m = components(c);
    List<String> prompts = List.of("a red circle", "");
    Tensor ctx = m.condStage().getLearnedConditioning(prompts);
    assertFiniteAndEqual("text encoder", ctx, m.condStage().getLearnedConditioning(prompts));

    Tensor x = latent(2, 7);
    Tensor t = timesteps(c, 2);
    Conditioning cond = conditioning(c, ctx, 2, 8);
    Tensor eps = m.denoiser().applyModel(x, t, cond);
    assertFiniteAndEqual("unet", eps, m.denoiser().applyModel(x, t, cond));
    assertThat(eps.maxAbsDiff(Tensor.zeros(eps.shape()))).as("unet output is not trivially zero").isGreaterThan(1e-3);

    Tensor img = m.firstStage().decode(x);
    assertFiniteAndEqual("vae decoder", img, m.firstStage().decode(x));
    Tensor pixels = image(2, 9);
    LatentDistribution a = m.firstStage().encode(pixels);
    LatentDistribution b = m.firstStage().encode(pixels);
    assertFiniteAndEqual("vae encoder mean", a.mean(), b.mean());
    if (a.logVariance().isPresent()) {
      assertFiniteAndEqual("vae encoder logvar", a.logVariance().get(), b.logVariance().get());
    }
  }

  // ================================================================== batches

  @ParameterizedTest
  @MethodSource("cases")
  void aBatchOfNEqualsNSingleCalls(ConformanceCase c) throws IOException {
    LatentDiffusion m = components(c);
    int n = 3;
    List<String> prompts = List.of("a red circle", "a green cross, high quality", "");
    Tensor ctx = m.condStage().getLearnedConditioning(prompts);
    for (int i = 0; i < n; i++) {
      assertBatchItem(c, "text encoder", ctx, i, m.condStage().getLearnedConditioning(List.of(prompts.get(i))));
    }

    Tensor x = latent(n, 12);
    Tensor t = timesteps(c, n);
    Conditioning cond = conditioning(c, ctx, n, 13);
    Tensor eps = m.denoiser().applyModel(x, t, cond);
    for (int i = 0; i < n; i++) {
      Tensor single = m.denoiser().applyModel(x.batch(i), t.batches(i, i + 1), itemOf(cond, i));
      assertBatchItem(c, "unet", eps, i, single);
    }

    Tensor img = m.firstStage().decode(x);
    Tensor pixels = image(n, 14);
    LatentDistribution enc = m.firstStage().encode(pixels);
    for (int i = 0; i < n; i++) {
      assertBatchItem(c, "vae decoder", img, i, m.firstStage().decode(x.batch(i)));
      LatentDistribution one = m.firstStage().encode(pixels.batch(i));
      assertBatchItem(c, "vae encoder", enc.mean(), i, one.mean());
      if (enc.logVariance().isPresent()) {
        assertBatchItem(c, "vae encoder logvar", enc.logVariance().get(), i, one.logVariance().get());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void aGeneratedBatchOfTwoEqualsTwoSingleGenerationsWithConsecutiveSeeds(ConformanceCase c) throws IOException {
    Generator g = generator(c);
    RgbImage init = pattern();
    float[] right = new float[IMAGE * IMAGE];
    for (int i = 0; i < right.length; i++) {
      right[i] = i % IMAGE >= IMAGE / 2 ? 1f : 0f;
    }
    Mask rightHalf = new Mask(IMAGE, IMAGE, right);
    Map<String, Function<GenerationSettings, GenerationRequest>> kinds = new LinkedHashMap<>();
    kinds.put("txt2img", s -> new GenerationRequest.TextToImage("a red circle", "", s));
    if (c.precision() == Precision.FP32) { // the image front ends once per flavor and variant
      kinds.put("img2img", s -> new GenerationRequest.ImageToImage("a red circle", "", s, init, 0.7));
      kinds.put("inpainting", s -> new GenerationRequest.Inpainting("a red circle", "", s, init, rightHalf, 0.8));
    }
    GenerationSettings s = settings().toBuilder().steps(2).seed(41, RngKind.TORCH).build();
    for (var kind : kinds.entrySet()) {
      Function<GenerationSettings, GenerationRequest> request = kind.getValue();
      List<RgbImage> batch = images(g, request.apply(s.toBuilder().batchSize(2).build()));
      RgbImage first = images(g, request.apply(s)).getFirst();
      RgbImage second = images(g, request.apply(s.toBuilder().seed(42, RngKind.TORCH).build())).getFirst();
      assertThat(batch).hasSize(2);
      measure("generator batch-vs-single MAE (0..255)",
          Math.max(batch.get(0).meanAbsoluteError(first), batch.get(1).meanAbsoluteError(second)));
      assertThat(batch.get(0)).as(kind.getKey() + ": image 0 of the batch = seed 41 alone").isEqualTo(first);
      assertThat(batch.get(1)).as(kind.getKey() + ": image 1 of the batch = seed 42 alone").isEqualTo(second);
      assertThat(first).as(kind.getKey() + ": different seeds give different images").isNotEqualTo(second);
    }
  }

  // ================================================================== precision

  @ParameterizedTest
  @MethodSource("fp32CasesWithFp16Twin")
  void fp16TracksFp32OnTheSameWeights(ConformanceCase c32) throws IOException {
    LatentDiffusion full = components(c32);
    LatentDiffusion half = components(c32.withPrecision(Precision.FP16));
    List<String> prompts = List.of("a yellow triangle", "");
    Tensor ctx = full.condStage().getLearnedConditioning(prompts);
    assertClose("text encoder fp16", ctx, half.condStage().getLearnedConditioning(prompts));

    Tensor x = latent(2, 15);
    Tensor t = timesteps(c32, 2);
    Conditioning cond = conditioning(c32, ctx, 2, 16);
    assertClose("unet fp16", full.denoiser().applyModel(x, t, cond), half.denoiser().applyModel(x, t, cond));
    assertClose("vae decoder fp16", full.firstStage().decode(x), half.firstStage().decode(x));
    Tensor pixels = image(2, 17);
    assertClose("vae encoder fp16", full.firstStage().encode(pixels).mean(), half.firstStage().encode(pixels).mean());
  }

  // ================================================================== timestep forms

  @ParameterizedTest
  @MethodSource("cases")
  void timestepFormsBehaveAsTheirExportDefines(ConformanceCase c) throws IOException {
    Denoiser d = components(c).denoiser();
    Tensor ctx = components(c).condStage().getLearnedConditioning(List.of("a green square"));
    Tensor x = latent(1, 18);
    Conditioning cond = conditioning(c, ctx, 1, 19);
    Tensor at321 = d.applyModel(x, Tensor.of(new float[] {321f}, 1), cond);
    Tensor at321p4 = d.applyModel(x, Tensor.of(new float[] {321.4f}, 1), cond);
    Tensor at321p6 = d.applyModel(x, Tensor.of(new float[] {321.6f}, 1), cond);
    Tensor at322 = d.applyModel(x, Tensor.of(new float[] {322f}, 1), cond);
    assertThat(at321.maxAbsDiff(at322)).as("the timestep reaches the network").isGreaterThan(0);
    if (c.flavor() == ExportFlavor.OPENVINO) {
      // int64 timesteps: fractional timesteps are rounded to the nearest integer
      assertFiniteAndEqual("t=321.4 rounds to 321", at321, at321p4);
      assertFiniteAndEqual("t=321.6 rounds to 322", at322, at321p6);
    } else {
      // float timesteps are fed as they are
      assertThat(at321p4.maxAbsDiff(at321)).as("fractional float timestep").isGreaterThan(0);
      assertThat(at321p4.maxAbsDiff(at322)).as("fractional float timestep").isGreaterThan(0);
    }

    Conditioning two = conditioning(c, Tensor.concat(0, ctx, ctx), 2, 19);
    Tensor mixed = Tensor.of(new float[] {100f, 700f}, 2);
    if (c.flavor() == ExportFlavor.OPTIMUM) {
      // a rank-0 timestep cannot carry two different values
      assertThatThrownBy(() -> d.applyModel(latent(2, 18), mixed, two))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timestep");
    } else {
      Tensor eps = d.applyModel(latent(2, 18), mixed, two);
      Tensor x2 = latent(2, 18);
      assertBatchItem(c, "unet, per-item timestep 100", eps, 0,
          d.applyModel(x2.batch(0), Tensor.of(new float[] {100f}, 1), itemOf(two, 0)));
      assertBatchItem(c, "unet, per-item timestep 700", eps, 1,
          d.applyModel(x2.batch(1), Tensor.of(new float[] {700f}, 1), itemOf(two, 1)));
    }
  }

  // ================================================================== provider

  @Test
  void theProviderOpensEachNetworkAloneAndClosesItIdempotently() throws IOException {
    ConformanceCase c = firstCase();
    BackendProvider p = provider();
    assertThat(p.name()).isNotBlank();
    assertThat(p.formats()).isNotEmpty();
    ModelFolder folder = ModelFolder.open(folder(c), p.formats());
    Tensor x = latent(1, 20);
    LatentDiffusion shared = components(c);
    Tensor ctx = shared.condStage().getLearnedConditioning(List.of("a red cross"));
    Tensor expected = shared.denoiser().applyModel(x, timesteps(c, 1), conditioning(c, ctx, 1, 21));
    NetworkSet set = p.open(new NetworkRequest(folder, Map.of(ModelComponent.UNET, options().device()), options()));
    assertThat(set.networks()).containsOnlyKeys(ModelComponent.UNET);
    Network unet = set.get(ModelComponent.UNET).orElseThrow();
    assertThat(unet.component()).isEqualTo(ModelComponent.UNET);
    assertThat(unet.inputs()).isNotEmpty();
    assertThat(unet.outputs()).isNotEmpty();
    NetworkUNet adapted = new NetworkUNet(unet, Parameterization.EPS, folder.unetInChannels());
    Conditioning cond = conditioning(c, ctx, 1, 21);
    Tensor viaProvider = Denoiser.of(adapted).applyModel(x, timesteps(c, 1), cond);
    assertFiniteAndEqual("unet opened alone", expected, viaProvider);
    set.close();
    set.close();
    unet.close();
    assertThatThrownBy(() -> Denoiser.of(adapted).applyModel(x, timesteps(c, 1), cond))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    NetworkDescription d = p.describe(folder, ModelComponent.UNET, options());
    assertThat(d.component()).isEqualTo(ModelComponent.UNET);
    assertThat(d.inputs()).extracting(TensorPort::name).containsAll(unet.inputs().keySet());
  }

  @Test
  void theProviderNamesAMissingNetworkFile() throws IOException {
    Path dir = models.copyOf(firstCase(), "provider-no-decoder");
    BackendProvider p = provider();
    ModelFolder folder = ModelFolder.open(dir, p.formats());
    for (ModelFolder.Format f : p.formats()) {
      Files.deleteIfExists(dir.resolve("vae_decoder").resolve(f.fileName()));
    }
    assertThatThrownBy(() -> p.open(NetworkRequest.all(folder, options())))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(dir.resolve("vae_decoder").toString());
  }

  // ================================================================== lifecycle and resources

  @Test
  void closeIsIdempotentAndUseAfterCloseIsAClearError() throws IOException {
    ConformanceCase c = firstCase();
    LatentDiffusion m = open(folder(c));
    Tensor ctx = m.condStage().getLearnedConditioning(List.of("a red circle"));
    m.close();
    m.close();
    assertThat(m.isClosed()).isTrue();
    assertThatThrownBy(() -> m.denoiser().applyModel(latent(1, 1), timesteps(c, 1), conditioning(c, ctx, 1, 2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> m.condStage().getLearnedConditioning(List.of("x")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> m.firstStage().decode(latent(1, 3)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> m.firstStage().encode(image(1, 4)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    // the parts close idempotently on their own too
    m.denoiser().close();
    m.condStage().close();
    m.firstStage().close();

    Generator g = openGenerator(folder(c));
    g.close();
    g.close();
    assertThatThrownBy(() -> g.generate(new GenerationRequest.TextToImage("a red circle", "", settings())))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void closingWhileAGenerationRunsStopsItWithAClearError() throws Exception {
    ConformanceCase c = firstCase();
    Generator g = openGenerator(folder(c));
    CountDownLatch firstStep = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> running = pool.submit(() -> g.generate(
          new GenerationRequest.TextToImage("a red circle", "", settings().toBuilder().steps(200).build()),
          e -> firstStep.countDown(), io.github.ldm4j.sampler.CancellationToken.none()));
      assertThat(firstStep.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the generation started").isTrue();
      g.close(); // waits for the network call in flight, then refuses the next one
      assertThatThrownBy(running::get)
          .isInstanceOf(java.util.concurrent.ExecutionException.class)
          .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    } finally {
      pool.shutdownNow();
      g.close();
    }
  }

  @Test
  void fourThreadsOnOneGeneratorGiveTheImagesOfSequentialRuns() throws Exception {
    ConformanceCase c = firstCase();
    String[] prompts = {"a red circle", "a green square", "a blue triangle", "a yellow cross"};
    int threads = prompts.length;
    int rounds = 2;
    Generator g = generator(c);
    List<RgbImage> sequential = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      sequential.add(images(g, prompts[i], settings().toBuilder().seed(100 + i, RngKind.TORCH).build()).getFirst());
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<RgbImage>>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        int k = i;
        Callable<List<RgbImage>> job = () -> {
          start.await();
          List<RgbImage> out = new ArrayList<>();
          for (int r = 0; r < rounds; r++) {
            out.add(images(g, prompts[k], settings().toBuilder().seed(100 + k, RngKind.TORCH).build()).getFirst());
          }
          return out;
        };
        futures.add(pool.submit(job));
      }
      start.countDown();
      for (int i = 0; i < threads; i++) {
        for (RgbImage img : futures.get(i).get()) {
          assertThat(img).as("thread %d (%s)", i, prompts[i]).isEqualTo(sequential.get(i));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void openingAndClosingRepeatedlyLeavesNoNativeMemoryBehind() throws Exception {
    assumeThat(NativeMemory.available()).as("needs Linux /proc/self/smaps").isTrue();
    ConformanceCase c = firstCase();
    // Without tokenizer/ the backend falls back to the built-in CLIP vocabulary: a cycle then costs
    // the native work only (parsing vocab.json is Java heap, which this test does not measure).
    Path dir = models.copyOf(c, "no-tokenizer");
    models.delete(dir.resolve("tokenizer"));
    for (int i = 0; i < warmUpCycles(); i++) {
      openUseClose(c, dir);
    }
    // A leak grows the memory in every window of cycles; allocator noise (arena fragmentation,
    // thread caches, the collector's timing) comes and goes. So two windows are measured and the
    // smaller growth is held to the limits.
    long rssGrowth = Long.MAX_VALUE;
    long mallocGrowth = Long.MAX_VALUE;
    boolean mallocKnown = true;
    for (int window = 0; window < 2; window++) {
      NativeMemory.settle();
      long rssBefore = NativeMemory.residentOutsideJavaHeap();
      OptionalLong mallocBefore = NativeMemory.mallocInUse();
      for (int i = 0; i < OPEN_CLOSE_CYCLES; i++) {
        openUseClose(c, dir);
      }
      NativeMemory.settle();
      rssGrowth = Math.min(rssGrowth, NativeMemory.residentOutsideJavaHeap() - rssBefore);
      OptionalLong mallocAfter = NativeMemory.mallocInUse();
      if (mallocBefore.isPresent() && mallocAfter.isPresent()) {
        mallocGrowth = Math.min(mallocGrowth, mallocAfter.getAsLong() - mallocBefore.getAsLong());
      } else {
        mallocKnown = false;
      }
    }
    measure("RSS outside the Java heap, growth over " + OPEN_CLOSE_CYCLES + " open/close (MiB)", rssGrowth / 1048576.0);
    assertThat(rssGrowth)
        .as("resident memory outside the Java heap grew by %.1f MiB over %d open/use/close cycles (smaller of 2 windows)",
            rssGrowth / 1048576.0, OPEN_CLOSE_CYCLES)
        .isLessThan(RSS_GROWTH_LIMIT_BYTES);
    if (mallocKnown) {
      measure("malloc in use, growth over " + OPEN_CLOSE_CYCLES + " open/close (MiB)", mallocGrowth / 1048576.0);
      assertThat(mallocGrowth)
          .as("bytes allocated with malloc grew by %.1f MiB over %d cycles (smaller of 2 windows)",
              mallocGrowth / 1048576.0, OPEN_CLOSE_CYCLES)
          .isLessThan(MALLOC_GROWTH_LIMIT_BYTES);
    }
  }

  private void openUseClose(ConformanceCase c, Path dir) throws IOException {
    try (LatentDiffusion m = open(dir)) {
      Tensor ctx = m.condStage().getLearnedConditioning(List.of("a red circle"));
      Tensor eps = m.denoiser().applyModel(latent(1, 22), timesteps(c, 1), conditioning(c, ctx, 1, 23));
      m.firstStage().decode(eps);
    }
  }

  // ================================================================== broken folders

  @Test
  void aMissingFolderIsNamed() {
    Path missing = models.missing("no-such-model");
    assertThatThrownBy(() -> open(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void aMissingNetworkFileIsNamed() throws IOException {
    Path dir = models.copyOf(firstCase(), "no-unet");
    Files.delete(dir.resolve("unet").resolve("model.onnx"));
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(dir.resolve("unet").resolve("model.onnx").toString())
        .hasMessageContaining("unet/model.onnx");
  }

  @Test
  void aMissingTokenizerFileIsNamed() throws IOException {
    Path dir = models.copyOf(firstCase(), "no-merges");
    Path merges = dir.resolve("tokenizer").resolve("merges.txt");
    Files.delete(merges);
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(merges.toString());
  }

  @Test
  void aCorruptNetworkFileIsAnIoErrorNamingIt() throws IOException {
    Path dir = models.copyOf(firstCase(), "corrupt-unet");
    Path file = dir.resolve("unet").resolve("model.onnx");
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    Files.write(file, garbage);
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasCauseInstanceOf(Exception.class);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {
      "model_index.json", "scheduler/scheduler_config.json", "unet/config.json", "vae_decoder/config.json",
      "tokenizer/vocab.json", "tokenizer/tokenizer_config.json"})
  void malformedJsonIsAnIoErrorNamingTheFile(String json) throws IOException {
    Path dir = models.copyOf(firstCase(), "bad-json-" + json.replace('/', '-'));
    Path file = dir.resolve(json);
    Files.writeString(file, "{ \"_class_name\": ");
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void aUNetWithAnExtraRequiredInputIsRejectedNamingIt() throws IOException {
    Path dir = models.copyOf(firstCase(), "unet-extra-input");
    GraphBuilder g = new GraphBuilder("unet");
    Ops o = new Ops(g, ElementType.FLOAT);
    Dim b = Dim.symbolic("batch");
    Value sample = g.input("sample", TensorType.of(ElementType.FLOAT, b, Dim.of(4), Dim.symbolic("h"), Dim.symbolic("w")));
    g.input("timestep", TensorType.of(ElementType.FLOAT, b));
    g.input("encoder_hidden_states", TensorType.of(ElementType.FLOAT, b, Dim.symbolic("tokens"), Dim.of(CONTEXT_DIM)));
    Value extra = g.input("time_ids", TensorType.of(ElementType.FLOAT, b, Dim.of(6)));
    Value out = o.add(sample, o.unsqueeze(o.unsqueeze(o.reduceSum(extra, true, 1), 2), 3));
    g.output(out, "out_sample", TensorType.of(ElementType.FLOAT, b, Dim.of(4), Dim.symbolic("h"), Dim.symbolic("w")));
    OnnxModelWriter.write(g.build(), dir.resolve("unet/model.onnx"), WeightStorage.INLINE, WriteProgress.NONE);
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unet")
        .hasMessageContaining("time_ids")
        .hasMessageContaining("expected");
  }

  @Test
  void aTextEncoderWithFloatIdsIsRejectedNamingTheTensor() throws IOException {
    Path dir = models.copyOf(firstCase(), "text-float-ids");
    GraphBuilder g = new GraphBuilder("text_encoder");
    Ops o = new Ops(g, ElementType.FLOAT);
    Dim b = Dim.symbolic("batch");
    Dim l = Dim.symbolic("sequence");
    Value ids = g.input("input_ids", TensorType.of(ElementType.FLOAT, b, l));
    Value h = o.expand(o.unsqueeze(ids, 2), g.int64s(1, 1, CONTEXT_DIM));
    g.output(h, "last_hidden_state", TensorType.of(ElementType.FLOAT, b, l, Dim.of(CONTEXT_DIM)));
    OnnxModelWriter.write(g.build(), dir.resolve("text_encoder/model.onnx"), WeightStorage.INLINE, WriteProgress.NONE);
    assertThatThrownBy(() -> open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text_encoder")
        .hasMessageContaining("input_ids")
        .hasMessageContaining("int32 or int64");
  }

  // ================================================================== helpers

  private ConformanceCase firstCase() {
    return cases().findFirst().orElseThrow(() -> new IllegalStateException("the backend supports no conformance case"));
  }

  /** Few cheap steps: the suite checks plumbing, not image quality. */
  private static GenerationSettings settings() {
    return GenerationSettings.builder().size(IMAGE, IMAGE).steps(3).sampler("euler", "karras").build();
  }

  private static List<RgbImage> images(Generator g, String prompt, GenerationSettings s) {
    return images(g, new GenerationRequest.TextToImage(prompt, "", s));
  }

  private static List<RgbImage> images(Generator g, GenerationRequest request) {
    return g.generate(request).images().stream().map(io.github.ldm4j.generate.GeneratedImage::image).toList();
  }

  /** A deterministic 64×64 colour pattern. */
  private static RgbImage pattern() {
    byte[] rgb = new byte[IMAGE * IMAGE * 3];
    for (int y = 0; y < IMAGE; y++) {
      for (int x = 0; x < IMAGE; x++) {
        for (int ch = 0; ch < 3; ch++) {
          rgb[(y * IMAGE + x) * 3 + ch] = (byte) (x * 4 + y * 2 * ch + 60 * ch);
        }
      }
    }
    return new RgbImage(IMAGE, IMAGE, rgb);
  }

  /** Seeded N(0, 1) latents [n, 4, 8, 8]. */
  private static Tensor latent(int n, long seed) {
    return RngKind.TORCH.create(seed).randn(n, 4, LATENT, LATENT);
  }

  /** Seeded images [n, 3, 64, 64] in about [−1, 1]. */
  private static Tensor image(int n, long seed) {
    return RngKind.TORCH.create(seed).randn(n, 3, IMAGE, IMAGE).map(v -> Math.tanh(v));
  }

  /** Timesteps [n]: distinct per item where the export takes a vector, the same where it takes a scalar. */
  private static Tensor timesteps(ConformanceCase c, int n) {
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = c.flavor() == ExportFlavor.OPTIMUM ? 481f : 181f + 300f * i;
    }
    return Tensor.of(t, n);
  }

  /** The conditioning the case's UNet takes: the context, plus seeded mask/masked-latent channels when inpainting. */
  private static Conditioning conditioning(ConformanceCase c, Tensor ctx, int n, long seed) {
    Tensor context = ctx.dim(0) == n ? ctx : Tensor.concat(0, java.util.Collections.nCopies(n, ctx).toArray(Tensor[]::new));
    if (!c.inpainting()) {
      return Conditioning.crossAttn(context);
    }
    return Conditioning.hybrid(context, RngKind.TORCH.create(seed).randn(n, 5, LATENT, LATENT));
  }

  private static Conditioning itemOf(Conditioning cond, int i) {
    return switch (cond) {
      case Conditioning.CrossAttn ca -> Conditioning.crossAttn(ca.context().batch(i));
      case Conditioning.Hybrid h -> Conditioning.hybrid(h.context().batch(i), h.channels().batch(i));
      default -> throw new IllegalArgumentException("unexpected conditioning " + cond);
    };
  }

  private static void assertFiniteAndEqual(String what, Tensor expected, Tensor actual) {
    assertThat(expected.allFinite()).as(what + " is finite").isTrue();
    assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
    assertThat(actual.toArray()).as(what + " is bitwise reproducible").containsExactly(expected.toArray());
  }

  private void assertBatchItem(ConformanceCase c, String what, Tensor batch, int i, Tensor single) {
    double tolerance = c.precision() == Precision.FP16 ? BATCH_RELATIVE_TOLERANCE_FP16 : BATCH_RELATIVE_TOLERANCE_FP32;
    Tensor item = batch.batch(i);
    assertThat(item.shape()).as(what + " item " + i + " shape").isEqualTo(single.shape());
    double scale = Math.max(maxAbs(single), 1e-6);
    double diff = item.maxAbsDiff(single);
    measure(what + " batch-vs-single rel " + c.precision(), diff / scale);
    assertThat(diff).as("%s (%s): batch item %d vs single call (max |x| %.3g)", what, c, i, scale)
        .isLessThanOrEqualTo(tolerance * scale);
  }

  private void assertClose(String what, Tensor fp32, Tensor fp16) {
    assertThat(fp16.shape()).as(what + " shape").isEqualTo(fp32.shape());
    assertThat(fp16.allFinite()).as(what + " is finite").isTrue();
    double scale = maxAbs(fp32);
    double diff = fp32.maxAbsDiff(fp16);
    measure(what + " rel", diff / scale);
    measure(what + " abs", diff);
    assertThat(scale).as(what + " is not trivially zero").isGreaterThan(1e-3);
    assertThat(diff).as("%s: max |fp16 - fp32| vs max |fp32| = %.3g", what, scale)
        .isLessThanOrEqualTo(FP16_RELATIVE_TOLERANCE * scale);
  }

  private static double maxAbs(Tensor t) {
    return Math.max(Math.abs(t.max()), Math.abs(t.min()));
  }
}
