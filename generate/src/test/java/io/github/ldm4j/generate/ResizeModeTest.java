package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.image.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden images from AUTOMATIC1111's own {@code images.resize_image} (modules/images.py at commit
 * 00952fb4a8b86b75402cc8276e00f3daadf1f459) run with Pillow 9.4.0, made by {@code
 * generate/src/test/python/resize_mode_golden.py}: modes 0, 1 and 2 on a 23×17 image to wider,
 * taller and square sizes.
 */
class ResizeModeTest {

  private static RgbImage image(String name) throws IOException {
    try (InputStream in = ResizeModeTest.class.getResourceAsStream("/golden/resize/" + name)) {
      assertThat(in).as(name).isNotNull();
      String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip().split("\n");
      String[] wh = lines[0].trim().split(" ");
      String[] px = lines[1].trim().split(" ");
      byte[] rgb = new byte[px.length];
      for (int i = 0; i < px.length; i++) {
        rgb[i] = (byte) Integer.parseInt(px[i]);
      }
      return new RgbImage(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]), rgb);
    }
  }

  @ParameterizedTest(name = "mode {0} to {1}x{2}")
  @CsvSource({
    "0, 32, 16", "0, 16, 32", "0, 40, 40", "0, 12, 20",
    "1, 32, 16", "1, 16, 32", "1, 40, 40", "1, 12, 20",
    "2, 32, 16", "2, 16, 32", "2, 40, 40", "2, 12, 20",
  })
  void matchesA1111sResizeImage(int mode, int w, int h) throws IOException {
    RgbImage expected = image("mode" + mode + "_" + w + "x" + h + ".txt");
    RgbImage actual = ResizeMode.fromIndex(mode).apply(image("input.txt"), w, h);
    assertThat(actual.width()).isEqualTo(w);
    assertThat(actual.height()).isEqualTo(h);
    int worst = 0;
    for (int i = 0; i < expected.rgb().length; i++) {
      worst = Math.max(worst, Math.abs((expected.rgb()[i] & 0xff) - (actual.rgb()[i] & 0xff)));
    }
    assertThat(worst).as("largest channel difference").isZero();
  }

  @Test
  void anExtremeAspectRatioIsRefusedBeforeAHugeIntermediateImage() {
    // crop and resize of 8x20000 to 128x128 would first make 128x320000 (41 Mpx from 0.16 Mpx); fill of
    // 20000x8 to 8x8 would make an intermediate 0 px high
    RgbImage tall = new RgbImage(8, 20000, new byte[8 * 20000 * 3]);
    assertThatThrownBy(() -> ResizeMode.CROP_AND_RESIZE.apply(tall, 128, 128))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aspect ratio 8x20000");
    RgbImage wide = new RgbImage(20000, 8, new byte[20000 * 8 * 3]);
    assertThatThrownBy(() -> ResizeMode.RESIZE_AND_FILL.apply(wide, 8, 8))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aspect ratio 20000x8");
    // an ordinary crop is within the bound: 512x2048 -> 512x512 resizes to 512x2048 first
    assertThat(ResizeMode.CROP_AND_RESIZE.apply(new RgbImage(64, 256, new byte[64 * 256 * 3]), 64, 64).height())
        .isEqualTo(64);
  }

  @Test
  void theSeedResizeSizeIsHeldToTheSizeLimits() {
    GenerationLimits limits = new GenerationLimits(256, 256, 1L << 20, 50, 4, 1L << 20);
    GenerationSettings ok = GenerationSettings.builder().size(64, 64).seedResize(new SeedResize(256, 128)).build();
    limits.check(ok);
    GenerationSettings huge = GenerationSettings.builder().size(64, 64).seedResize(new SeedResize(65536, 64)).build();
    assertThatThrownBy(() -> limits.check(huge)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed resize size 65536x64 exceeds the limit of 256x256");
  }

  @Test
  void latentUpscaleResizesAsJustResizeAndASameSizeImageIsKept() throws IOException {
    RgbImage in = image("input.txt");
    assertThat(ResizeMode.LATENT_UPSCALE.apply(in, 32, 16)).isEqualTo(ResizeMode.JUST_RESIZE.apply(in, 32, 16));
    assertThat(ResizeMode.RESIZE_AND_FILL.apply(in, 23, 17)).isSameAs(in);
  }

  @Test
  void otherModesAreRefusedNamingTheChoices() {
    assertThatThrownBy(() -> ResizeMode.fromIndex(4)).hasMessageContaining("0 (just resize)").hasMessageContaining("got 4");
    assertThatThrownBy(() -> ResizeMode.fromIndex(-1)).hasMessageContaining("got -1");
  }
}
