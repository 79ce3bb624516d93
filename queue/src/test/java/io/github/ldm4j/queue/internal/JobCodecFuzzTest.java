package io.github.ldm4j.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.queue.JobSelection;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * {@link JobCodec}'s decoders on arbitrary bytes, as they come out of Redis (anyone who can write to
 * it can put them there): the first byte picks the reader — 0 a job request ({@link
 * JobCodec#decodeRequest}), 1 a job selection ({@link JobCodec#decodeSelection}), 2 an outcome
 * ({@link JobCodec#decodeOutcome}, PNGs included), 3 a progress preview ({@link
 * JobCodec#decodePreview}), 4 a progress event's {@code step}, {@code total}, {@code sigma} fields
 * ({@link JobCodec#decodeProgress}, the text split at commas; a missing one is absent) — and the rest
 * is its input. The only allowed outcomes are a value (a request or selection that encodes back to
 * one equal to it) or an {@link IllegalArgumentException} with a message. Any other exception, or an
 * allocation out of proportion to the input (a length read from the bytes is checked against the
 * bytes left before anything is allocated), is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in regression mode over the committed corpus ({@code
 * src/test/resources/io/github/ldm4j/queue/internal/JobCodecFuzzTestInputs/decodeArbitraryBytes/}:
 * each request kind with and without the hires fix, a selection with LoRAs and a VAE, outcomes done
 * with a PNG and failed, a preview, progress fields). To fuzz: {@code JAZZER_FUZZ=1 ./mvnw -o test -pl
 * queue -am -Dtest=JobCodecFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class JobCodecFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void decodeArbitraryBytes(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] rest = Arrays.copyOfRange(input, 1, input.length);
    try {
      switch (input[0] & 7) {
        case 0 -> {
          GenerationRequest r = JobCodec.decodeRequest(rest);
          assertThat(JobCodec.decodeRequest(JobCodec.encode(r))).isEqualTo(r);
        }
        case 1 -> {
          JobSelection s = JobCodec.decodeSelection(rest);
          assertThat(JobCodec.decodeSelection(JobCodec.encode(s))).isEqualTo(s);
        }
        case 2 -> {
          Outcome o = JobCodec.decodeOutcome(rest);
          assertThat(o.result().isPresent()).isEqualTo(o.status() == Outcome.Status.DONE);
        }
        case 3 -> {
          RgbImage image = JobCodec.decodePreview(rest);
          assertThat((long) image.width() * image.height()).isLessThanOrEqualTo(JobCodec.MAX_PREVIEW_PIXELS);
        }
        default -> {
          String[] f = new String(rest, StandardCharsets.UTF_8).split(",", 3);
          ProgressEvent e = JobCodec.decodeProgress(f[0], f.length > 1 ? f[1] : null, f.length > 2 ? f[2] : null,
              Optional.empty());
          assertThat(e.step()).isBetween(1, e.totalSteps());
        }
      }
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
