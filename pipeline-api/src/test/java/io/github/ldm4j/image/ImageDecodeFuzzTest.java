package io.github.ldm4j.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * {@link PngCodec#decode} on arbitrary bytes, as uploads reach it (an edit's {@code image} and {@code
 * mask}, A1111's base64 {@code init_images} / {@code mask}, the CLI's {@code --image} / {@code
 * --mask}): the only allowed outcomes are an {@link IllegalArgumentException} or an image within the
 * pixel limit whose pixels match its size, from which {@link Mask#fromImage} makes a valid mask. Any
 * other exception, an image over the limit, a hang or running out of memory is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in Jazzer's regression mode over the committed corpus
 * ({@code src/test/resources/io/github/ldm4j/image/ImageDecodeFuzzTestInputs/decodeArbitraryBytes/}:
 * small PNG, JPEG, BMP and GIF files, a PNG with a {@code parameters} chunk, and any {@code crash-*}
 * finding). To fuzz, see pipeline-api/README.md.
 */
class ImageDecodeFuzzTest {

  /** The pixel limit of the fuzzed decodes: small, so that the guard is exercised. */
  static final long MAX_PIXELS = 64 * 64;

  @FuzzTest(maxDuration = "5m")
  void decodeArbitraryBytes(byte[] input) {
    PngCodec.Decoded d;
    try {
      d = PngCodec.decode(input, MAX_PIXELS);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    RgbImage image = d.image();
    assertThat((long) image.width() * image.height()).isBetween(1L, MAX_PIXELS);
    assertThat(image.rgb()).hasSize(image.width() * image.height() * 3);
    Mask mask = Mask.fromImage(image);
    assertThat(mask.width()).isEqualTo(image.width());
    assertThat(mask.height()).isEqualTo(image.height());
    assertThat(d.parameters()).isNotNull();
  }
}
