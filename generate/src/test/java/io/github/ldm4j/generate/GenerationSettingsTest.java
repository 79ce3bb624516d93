package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.image.Quantization;
import io.github.ldm4j.random.RngKind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The defaults' one home (the {@code DEFAULT_*} constants) and the builder. */
class GenerationSettingsTest {

  @Test
  void defaultsAreTheConstantsParsed() {
    assertThat(GenerationSettings.DEFAULTS).isEqualTo(new GenerationSettings(
        Integer.parseInt(GenerationSettings.DEFAULT_WIDTH), Integer.parseInt(GenerationSettings.DEFAULT_HEIGHT),
        Integer.parseInt(GenerationSettings.DEFAULT_STEPS), Optional.empty(), Optional.empty(),
        Double.parseDouble(GenerationSettings.DEFAULT_GUIDANCE_SCALE),
        Double.parseDouble(GenerationSettings.DEFAULT_GUIDANCE_RESCALE),
        Double.parseDouble(GenerationSettings.DEFAULT_GUIDANCE_CUTOFF_SIGMA),
        Long.parseLong(GenerationSettings.DEFAULT_SEED), RngKind.fromName(GenerationSettings.DEFAULT_RNG),
        Integer.parseInt(GenerationSettings.DEFAULT_BATCH_SIZE), Integer.parseInt(GenerationSettings.DEFAULT_CLIP_SKIP),
        Quantization.fromName(GenerationSettings.DEFAULT_QUANTIZE), Optional.empty(), Optional.empty()));
    // the values themselves: changing one is a deliberate act (front ends, docs and goldens follow)
    assertThat(GenerationSettings.DEFAULTS).isEqualTo(new GenerationSettings(
        512, 512, 20, Optional.empty(), Optional.empty(), 7.5, 0, 0, 0, RngKind.TORCH, 1, 1, Quantization.ROUND,
        Optional.empty(), Optional.empty()));
    assertThat(Double.parseDouble(GenerationRequest.DEFAULT_STRENGTH)).isEqualTo(0.75);
  }

  @Test
  void theBuilderStartsAtTheDefaultsOrAtTheSettings() {
    assertThat(GenerationSettings.builder().build()).isEqualTo(GenerationSettings.DEFAULTS);
    GenerationSettings s = new GenerationSettings(
        64, 128, 3, Optional.of("euler"), Optional.of("karras"), 5, 0.5, 1.5, 9, RngKind.NUMPY, 2, 2, Quantization.TRUNCATE, Optional.empty(), Optional.empty());
    assertThat(s.toBuilder().build()).isEqualTo(s);
  }

  @Test
  void eachSetterSetsItsFieldsOnly() {
    GenerationSettings s = GenerationSettings.builder()
        .size(64, 128)
        .steps(3)
        .sampler("euler", "karras")
        .guidance(5, 0.5)
        .guidanceCutoff(1.5)
        .seed(9, RngKind.NUMPY)
        .batchSize(2)
        .clipSkip(2)
        .quantize(Quantization.TRUNCATE)
        .build();
    assertThat(s).isEqualTo(new GenerationSettings(
        64, 128, 3, Optional.of("euler"), Optional.of("karras"), 5, 0.5, 1.5, 9, RngKind.NUMPY, 2, 2, Quantization.TRUNCATE, Optional.empty(), Optional.empty()));
    assertThat(s.toBuilder().guidance(6).build().guidanceRescale()).isEqualTo(0.5);
    assertThat(s.toBuilder().guidance(6, 0).build().guidanceCutoffSigma()).isEqualTo(1.5);
    assertThat(s.toBuilder().seed(10).build().rng()).isEqualTo(RngKind.NUMPY);
    assertThat(s.toBuilder().sampler(null, null).build())
        .satisfies(t -> assertThat(t.sampler()).isEmpty())
        .satisfies(t -> assertThat(t.scheduler()).isEmpty())
        .isEqualTo(new GenerationSettings(64, 128, 3, Optional.empty(), Optional.empty(), 5, 0.5, 1.5, 9, RngKind.NUMPY, 2, 2, Quantization.TRUNCATE, Optional.empty(), Optional.empty()));
  }

  @Test
  void buildValidatesAsTheConstructor() {
    GenerationSettings.Builder b = GenerationSettings.builder().steps(0);
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("steps must be >= 1, got 0");
    assertThatThrownBy(() -> GenerationSettings.builder().sampler(" ", null).build())
        .hasMessageContaining("sampler name must not be blank");
    assertThatThrownBy(() -> GenerationSettings.builder().seed(1, null).build()).isInstanceOf(NullPointerException.class);
  }
}
