package io.github.ldm4j.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PngCodecTest {

  private static RgbImage gradient(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      rgb[3 * i] = (byte) (i * 7);
      rgb[3 * i + 1] = (byte) (255 - i);
      rgb[3 * i + 2] = (byte) (i * 13 + 5);
    }
    return new RgbImage(w, h, rgb);
  }

  @Test
  void roundTripsPixelsAndLatin1Parameters() {
    RgbImage img = gradient(17, 9);
    String params = "a red circle\nSteps: 20, Sampler: euler, CFG scale: 7.5, Seed: 42, Size: 17x9";
    byte[] png = PngCodec.encode(img, Optional.of(params));
    assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    assertThat(new String(png, StandardCharsets.ISO_8859_1)).contains("tEXtparameters");
    PngCodec.Decoded d = PngCodec.decode(png, 1_000_000);
    assertThat(d.image()).isEqualTo(img);
    assertThat(d.parameters()).contains(params);
  }

  @Test
  void nonLatin1ParametersGoToAnInternationalTextChunk() {
    String params = "一只红色的圆 ✓";
    byte[] png = PngCodec.encode(gradient(4, 4), Optional.of(params));
    assertThat(new String(png, StandardCharsets.ISO_8859_1)).contains("iTXtparameters");
    assertThat(PngCodec.decode(png, 100).parameters()).contains(params);
  }

  @Test
  void withoutParametersThereIsNoTextChunk() {
    byte[] png = PngCodec.encode(gradient(3, 2), Optional.empty());
    assertThat(PngCodec.decode(png, 100).parameters()).isEmpty();
  }

  @Test
  void aTruncatedJpegIsRefusedNotFilledWithGrey() throws Exception {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(64, 64, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | 77);
      }
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(img, "jpeg", out);
    byte[] jpeg = out.toByteArray();
    assertThat(PngCodec.decode(jpeg, 64 * 64).image().width()).isEqualTo(64);
    // cut inside the entropy-coded data: the JDK's reader only warns and fills the rest with grey
    byte[] cut = java.util.Arrays.copyOf(jpeg, jpeg.length * 9 / 10);
    assertThatThrownBy(() -> PngCodec.decode(cut, 64 * 64)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("image data is truncated");
    // a BMP cut short: the reader's EOFException says the same
    java.io.ByteArrayOutputStream bmp = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(img, "bmp", bmp);
    byte[] cutBmp = java.util.Arrays.copyOf(bmp.toByteArray(), bmp.size() / 2);
    assertThatThrownBy(() -> PngCodec.decode(cutBmp, 64 * 64)).hasMessage("image data is truncated");
  }

  @Test
  void brokenOrOversizedImagesAreClearErrors() {
    assertThatThrownBy(() -> PngCodec.decode(new byte[0], 10)).hasMessageContaining("image is empty");
    assertThatThrownBy(() -> PngCodec.decode("not an image".getBytes(StandardCharsets.UTF_8), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a decodable image");
    byte[] png = PngCodec.encode(gradient(20, 10), Optional.empty());
    byte[] truncated = java.util.Arrays.copyOf(png, png.length / 2);
    assertThatThrownBy(() -> PngCodec.decode(truncated, 1000)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PngCodec.decode(png, 199))
        .hasMessageContaining("20x10")
        .hasMessageContaining("exceeds the limit of 199 pixels");
  }

  @Test
  void tensorConversionFollowsTheReferencePreprocessing() {
    RgbImage img = new RgbImage(2, 1, new byte[] {0, (byte) 255, (byte) 128, 64, 32, 16});
    Tensor t = img.toTensor();
    assertThat(t.shape().dims()).containsExactly(1, 3, 1, 2);
    // x / 127.5 - 1: 0 -> -1, 255 -> 1, 128 -> 0.003921...
    assertThat(t.at(0, 0, 0, 0)).isEqualTo(-1f);
    assertThat(t.at(0, 1, 0, 0)).isEqualTo(1f);
    assertThat(t.at(0, 2, 0, 0)).isCloseTo(128 / 127.5f - 1, org.assertj.core.data.Offset.offset(1e-7f));
    assertThat(RgbImage.fromTensor(t, 0, Quantization.ROUND)).isEqualTo(img);
    Tensor out = Tensor.of(new float[] {-2f, 2f, Float.POSITIVE_INFINITY, 0f, 0f, 0f}, 1, 3, 1, 2);
    RgbImage clamped = RgbImage.fromTensor(out, 0, Quantization.ROUND);
    assertThat(clamped.channel(0, 0, 0)).isZero();
    assertThat(clamped.channel(1, 0, 0)).isEqualTo(255);
    assertThat(clamped.channel(0, 0, 1)).isEqualTo(255);
    assertThat(clamped.channel(0, 0, 2)).isEqualTo(128); // round(0.5 * 255) = 128
    Tensor nan = Tensor.of(new float[] {Float.NaN, 0, 0}, 1, 3, 1, 1);
    assertThatThrownBy(() -> RgbImage.fromTensor(nan, 0, Quantization.TRUNCATE)).hasMessageContaining("NaN");
  }

  @Test
  void masksComeFromLuminanceAndBinariseAtOneHalf() {
    RgbImage m = new RgbImage(3, 1, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255, (byte) 140, (byte) 140, (byte) 140});
    Mask mask = Mask.fromImage(m);
    assertThat(mask.at(0, 0)).isZero();
    assertThat(mask.at(1, 0)).isEqualTo(1f);
    assertThat(mask.binarized().values()).containsExactly(0f, 1f, 1f);
    assertThatThrownBy(() -> new Mask(1, 1, new float[] {1.5f})).hasMessageContaining("outside [0, 1]");
    assertThatThrownBy(() -> new Mask(2, 2, new float[3])).hasMessageContaining("expected 4");
  }
}
