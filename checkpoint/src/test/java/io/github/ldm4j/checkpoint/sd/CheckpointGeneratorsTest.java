package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.WeightOverrides;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA sets applied at load time ({@link CheckpointGenerators}, {@link LoraOverrides}) against the
 * conversion with the LoRAs merged (the path {@link LoraFixtureParityTest} checks against kohya
 * sd-scripts' merge): the same text-encoder and UNet outputs, bit for bit, on the {@code cli-sd1}
 * fixture (sd1-small's widths with CLIP's full vocabulary, so prompts tokenize) and the sd1 LoRA
 * fixtures ({@code fixtures/lora}, from {@code gen_lora.py}); weight 0 is the
 * base; the cache merges a set once; concurrent generations with different sets each get theirs.
 */
class CheckpointGeneratorsTest {

  private static final String PROMPT = "a red circle";

  @TempDir Path dir;
  private TemporaryHome home;

  @BeforeEach
  void home() {
    home = new TemporaryHome(dir.resolve("home"));
  }

  @AfterEach
  void restoreHome() {
    home.close();
  }

  static CheckpointFolders.Request request(LoraSet loras) throws Exception {
    Path file = Sd1FixtureParityTest.resource("/fixtures/cli-sd1/cli-sd1.safetensors");
    CheckpointFolders.Request d = CheckpointFolders.Request.defaults(file);
    SdFolderExport e = new SdFolderExport(d.export().flavor(), d.export().precision(), d.export().storage(),
        SdCheckpoint.UNetWeights.MODEL, 32, d.export().prediction(), d.export().scaleFactor(), loras);
    return new CheckpointFolders.Request(d.checkpoint(), d.vae(), d.config(), d.inference(), e);
  }

  static LoraSet set(AppliedLora... loras) {
    return new LoraSet(List.of(loras));
  }

  static AppliedLora a(double te, double unet) throws Exception {
    return new AppliedLora(LoraFixtureParityTest.lora("sd1_a.safetensors"), te, unet);
  }

  static AppliedLora b(double w) throws Exception {
    return new AppliedLora(LoraFixtureParityTest.lora("sd1_b.safetensors"), w);
  }

  /** The text encoder's context for {@link #PROMPT} and one UNet evaluation on it, as float bits. */
  static float[] outputs(Generator g) {
    Tensor context = ((Conditioning.CrossAttn) g.model().condStage()
        .encodeForGuidance(List.of(PROMPT), List.of(""), 1).cond()).context();
    Tensor x = RngKind.TORCH.create(7).randn(Shape.of(1, 4, 4, 4));
    Tensor eps = g.model().denoiser().applyModel(x, Tensor.full(Shape.of(1), 500f), new Conditioning.CrossAttn(context));
    float[] c = context.toArray();
    float[] u = eps.toArray();
    float[] out = java.util.Arrays.copyOf(c, c.length + u.length);
    System.arraycopy(u, 0, out, c.length, u.length);
    return out;
  }

  private static RgbImage image(Generator g, long seed) {
    GenerationSettings s = GenerationSettings.builder().size(32, 32).steps(2).sampler("euler", "karras").seed(seed, RngKind.TORCH)
        .build();
    return g.generate(new GenerationRequest.TextToImage(PROMPT, "", s)).images().getFirst().image();
  }

  private static float[] converted(CheckpointFolders.Request r) throws Exception {
    try (Generator g = ModelAssembler.open(CheckpointFolders.cached(r), "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      return outputs(g);
    }
  }

  @Test
  void aSetAppliedAtLoadTimeComputesWhatItsConversionComputesBitForBit() throws Exception {
    float[] base = converted(request(LoraSet.NONE));
    for (LoraSet loras : List.of(set(a(1, 1)), set(a(0.5, -1), b(0.8)), set(a(1, 0)), set(a(0, 1)))) {
      CheckpointFolders.Request r = request(loras);
      float[] expected = converted(r);
      try (Generator g = CheckpointGenerators.open(r, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
        assertThat(outputs(g)).as("%s", loras).isEqualTo(expected).isNotEqualTo(base);
      }
    }
    // one conversion without LoRAs serves every set applied at load time (the converted ones above add theirs)
    try (Stream<Path> s = Files.list(dir.resolve("home/checkpoints"))) {
      assertThat(s.count()).isEqualTo(1 + 4);
    }
  }

  /**
   * An int8 conversion takes no LoRA at load time (its UNet weights are rounded already, {@link
   * LoraOverrides#ofFolder} refuses them): a set is merged into the float weights before they are
   * quantized, a converted folder per set, which both entry points open — and which computes what the
   * int8 conversion of that set computes, bit for bit, unlike the int8 conversion without it.
   */
  @Test
  void anInt8ConversionMergesALoraSetBeforeQuantizing() throws Exception {
    LoraSet loras = set(a(1, 1));
    CheckpointFolders.Request plain = request(LoraSet.NONE).withPrecision(io.github.ldm4j.export.folder.Precision.INT8);
    CheckpointFolders.Request withLoras = plain.withLoras(loras);
    Path folder = CheckpointGenerators.folder(withLoras, "onnx", BackendOptions.DEFAULTS);
    assertThat(folder).isEqualTo(CheckpointFolders.cached(withLoras)).isNotEqualTo(CheckpointFolders.cached(plain));
    assertThat(ConvertedFolder.read(folder).precision()).isEqualTo(io.github.ldm4j.export.folder.Precision.INT8);
    float[] base = converted(plain);
    float[] expected = converted(withLoras);
    assertThat(expected).isNotEqualTo(base);
    try (Generator g = CheckpointGenerators.open(withLoras, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      assertThat(outputs(g)).isEqualTo(expected);
    }
    try (CheckpointGenerators gens = CheckpointGenerators.open(plain, "onnx", BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS, CheckpointGenerators.DEFAULT_CACHE_BYTES);
        CheckpointGenerators.Lease l = gens.acquire(loras)) {
      assertThat(outputs(l.generator())).isEqualTo(expected);
    }
  }

  @Test
  void mergedWeightsAreOnlyThoseTheSetTouches() throws Exception {
    try (WeightOverrides unetOnly = LoraOverrides.of(request(set(a(0, 1))));
        WeightOverrides both = LoraOverrides.of(request(set(a(1, 1), b(1))));
        WeightOverrides zero = LoraOverrides.of(request(set(a(0, 0), b(0))))) {
      assertThat(unetOnly.components()).containsExactly(ModelComponent.UNET);
      assertThat(both.components()).containsExactly(ModelComponent.TEXT_ENCODER, ModelComponent.UNET);
      assertThat(zero.isEmpty()).isTrue();
      assertThat(unetOnly.of(ModelComponent.UNET)).allSatisfy(w -> assertThat(w.name()).endsWith(".weight"));
      assertThat(unetOnly.bytes()).isPositive().isLessThan(both.bytes());
    }
  }

  @Test
  void weightZeroOnBothNetworksIsTheBaseModelBitForBit() throws Exception {
    try (CheckpointGenerators gens = CheckpointGenerators.open(request(LoraSet.NONE), "onnx", BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS, CheckpointGenerators.DEFAULT_CACHE_BYTES)) {
      float[] base = outputs(gens.base());
      RgbImage baseImage = image(gens.base(), 3);
      try (CheckpointGenerators.Lease l = gens.acquire(set(a(0, 0), b(0)))) {
        assertThat(l.generator()).isSameAs(gens.base());
        assertThat(outputs(l.generator())).isEqualTo(base);
        assertThat(image(l.generator(), 3)).isEqualTo(baseImage);
      }
      assertThat(gens.cachedSets()).isZero();
    }
  }

  @Test
  void alternatingBetweenTwoSetsMergesEachOnceAndTheBoundEvicts() throws Exception {
    LoraSet one = set(a(1, 1));
    LoraSet two = set(b(0.7));
    try (CheckpointGenerators gens = CheckpointGenerators.open(request(LoraSet.NONE), "onnx", BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS, CheckpointGenerators.DEFAULT_CACHE_BYTES)) {
      Generator first;
      try (CheckpointGenerators.Lease l = gens.acquire(one)) {
        first = l.generator();
      }
      long oneBytes = gens.cachedBytes();
      try (CheckpointGenerators.Lease l = gens.acquire(two)) {
        assertThat(l.generator()).isNotSameAs(first);
      }
      for (int i = 0; i < 3; i++) {
        try (CheckpointGenerators.Lease l = gens.acquire(one); CheckpointGenerators.Lease m = gens.acquire(two)) {
          assertThat(l.generator()).isSameAs(first);
          assertThat(m.generator()).isNotSameAs(first);
        }
      }
      assertThat(gens.cachedSets()).isEqualTo(2);
      assertThat(gens.cachedBytes()).isGreaterThan(oneBytes);
    }
    // a bound below two sets keeps the latest only; an evicted set in use stays open until released
    try (CheckpointGenerators gens = CheckpointGenerators.open(request(LoraSet.NONE), "onnx", BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS, 1)) {
      CheckpointGenerators.Lease held = gens.acquire(one);
      float[] expected = outputs(held.generator());
      try (CheckpointGenerators.Lease l = gens.acquire(two)) {
        assertThat(gens.cachedSets()).isEqualTo(1);
        assertThat(outputs(held.generator())).isEqualTo(expected);
      }
      Generator evicted = held.generator();
      held.close();
      held.close();
      assertThatThrownBy(() -> image(evicted, 1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
  }

  @Test
  void concurrentGenerationsWithDifferentSetsEachGetTheirWeights() throws Exception {
    List<LoraSet> sets = List.of(LoraSet.NONE, set(a(1, 1)), set(b(0.8)), set(a(-0.5, 1), b(1)));
    try (CheckpointGenerators gens = CheckpointGenerators.open(request(LoraSet.NONE), "onnx", BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS, CheckpointGenerators.DEFAULT_CACHE_BYTES)) {
      List<RgbImage> sequential = new ArrayList<>();
      for (LoraSet s : sets) {
        try (CheckpointGenerators.Lease l = gens.acquire(s)) {
          sequential.add(image(l.generator(), 11));
        }
      }
      assertThat(sequential).doesNotHaveDuplicates();
      // fresh cache: the sets are merged and opened concurrently too
      try (CheckpointGenerators fresh = CheckpointGenerators.open(request(LoraSet.NONE), "onnx", BackendOptions.DEFAULTS,
          GenerationLimits.DEFAULTS, CheckpointGenerators.DEFAULT_CACHE_BYTES)) {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
          List<Future<RgbImage>> futures = new ArrayList<>();
          for (int round = 0; round < 2; round++) {
            for (LoraSet s : sets) {
              futures.add(pool.submit(() -> {
                try (CheckpointGenerators.Lease l = fresh.acquire(s)) {
                  return image(l.generator(), 11);
                }
              }));
            }
          }
          for (int i = 0; i < futures.size(); i++) {
            assertThat(futures.get(i).get()).as("set %d", i % sets.size()).isEqualTo(sequential.get(i % sets.size()));
          }
        } finally {
          pool.shutdownNow();
        }
        assertThat(fresh.cachedSets()).isEqualTo(3);
      }
    }
  }

  @Test
  void closesOnceAndRefusesAfterwards() throws Exception {
    CheckpointGenerators gens = CheckpointGenerators.open(request(LoraSet.NONE), "onnx", BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS, CheckpointGenerators.DEFAULT_CACHE_BYTES);
    gens.acquire(set(a(1, 1))).close();
    gens.close();
    gens.close();
    assertThat(gens.cachedSets()).isZero();
    assertThatThrownBy(() -> gens.acquire(set(b(1)))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
