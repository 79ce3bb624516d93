package io.github.ldm4j.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.SeedResize;
import io.github.ldm4j.generate.Variation;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The job wire form keeps the settings whole, A1111's variation seed and seed resize included. */
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
  void aPayloadOfTheVersionBeforeIsRefused() {
    byte[] bytes = JobCodec.encode(new GenerationRequest.TextToImage("x", "", GenerationSettings.DEFAULTS));
    ByteBuffer.wrap(bytes).putInt(0, 0x4c444a31); // "LDJ1": settings without the variation fields
    assertThatThrownBy(() -> JobCodec.decodeRequest(bytes)).hasMessageContaining("not a job request of this ldm4j version");
  }
}
