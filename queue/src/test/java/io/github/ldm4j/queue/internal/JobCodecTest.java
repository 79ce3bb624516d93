package io.github.ldm4j.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.generate.SeedResize;
import io.github.ldm4j.generate.Variation;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The job wire form keeps the settings whole, A1111's variation seed and seed resize included, and
 * the hires fix of a text-to-image request.
 */
class JobCodecTest {

  @Test
  void settingsWithVariationAndSeedResizeRoundTrip() {
    GenerationSettings s = GenerationSettings.builder().size(64, 96).seed(5).batchSize(2)
        .variation(new Variation(77, 0.25)).seedResize(new SeedResize(48, 80)).build();
    GenerationRequest r = new GenerationRequest.TextToImage("a fox", "", s);
    assertThat(JobCodec.decodeRequest(JobCodec.encode(r))).isEqualTo(r);
    GenerationRequest plain = new GenerationRequest.TextToImage("a fox", "ugly", GenerationSettings.DEFAULTS);
    assertThat(JobCodec.decodeRequest(JobCodec.encode(plain))).isEqualTo(plain);
  }

  @Test
  void theHiresFixRoundTripsWithAScaleOrASize() {
    GenerationSettings s = GenerationSettings.builder().size(64, 64).steps(4).seed(9).build();
    for (HiresFix h : List.of(HiresFix.of(new HiresFix.Scale(2)),
        new HiresFix(new HiresFix.Scale(1.25), HiresUpscaler.LATENT_NEAREST_EXACT, 3, 0.5),
        new HiresFix(new HiresFix.Size(128, 0), HiresUpscaler.NEAREST, 0, 1),
        new HiresFix(new HiresFix.Size(96, 96), HiresUpscaler.LANCZOS, 12, 0.01))) {
      GenerationRequest r = new GenerationRequest.TextToImage("a fox", "blurry", s, Optional.of(h));
      assertThat(JobCodec.decodeRequest(JobCodec.encode(r))).isEqualTo(r);
    }
  }

  @Test
  void aHiresFixThatDoesNotFitIsRefusedWithItsReason() {
    GenerationRequest r = new GenerationRequest.TextToImage("x", "", GenerationSettings.builder().size(64, 64).build(),
        Optional.of(new HiresFix(new HiresFix.Size(96, 96), HiresUpscaler.LATENT, 0, 0.5)));
    byte[] bytes = JobCodec.encode(r);
    // The layout's tail: width, height (ints), the upscaler's name (int length, bytes), steps (int), strength (double).
    int name = HiresUpscaler.LATENT.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    int width = bytes.length - (8 + 4 + name + 4 + 4 + 4);
    ByteBuffer.wrap(bytes).putInt(width, 100);
    assertThatThrownBy(() -> JobCodec.decodeRequest(bytes)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hires size must be multiples of 8");
  }

  @Test
  void aPayloadOfTheVersionBeforeIsRefused() {
    byte[] bytes = JobCodec.encode(new GenerationRequest.TextToImage("x", "", GenerationSettings.DEFAULTS));
    ByteBuffer.wrap(bytes).putInt(0, 0x4c444a31); // "LDJ1": settings without the variation fields
    assertThatThrownBy(() -> JobCodec.decodeRequest(bytes)).hasMessageContaining("not a job request of this ldm4j version");
    // A text-to-image payload written before the hires fix was carried lacks its last byte (the hires flag).
    byte[] withoutHires = java.util.Arrays.copyOf(JobCodec.encode(
        new GenerationRequest.TextToImage("x", "", GenerationSettings.DEFAULTS)), bytes.length - 1);
    assertThatThrownBy(() -> JobCodec.decodeRequest(withoutHires)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("truncated job request");
  }
}
