package io.github.ldm4j.generate;

import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.FixedSize;
import io.github.ldm4j.pipeline.LatentDiffusion;
import java.util.Optional;

/**
 * Checks a request's image size against what the model's networks accept: a multiple of the
 * downsampling factor, and the fixed dimensions their declarations carry (UNet sample, VAE decoder
 * input when decoded whole, VAE encoder input when the request encodes images).
 */
final class ModelSizes {

  private ModelSizes() {}

  /**
   * Throws {@link IllegalArgumentException} when the model cannot run {@code request}'s size (and, with a hires fix, its second pass's).
   *
   * @param tiledDecodeAbovePixels images with more pixels are decoded in tiles (the decoder then
   *     never sees the whole latent)
   */
  static void check(LatentDiffusion components, GenerationRequest request, long tiledDecodeAbovePixels) {
    GenerationSettings s = request.settings();
    ConditioningKey key = components.denoiser().conditioningKey();
    boolean concat = key == ConditioningKey.CONCAT || key == ConditioningKey.HYBRID;
    check(components, s, !(request instanceof GenerationRequest.TextToImage) || concat, tiledDecodeAbovePixels);
    if (request instanceof GenerationRequest.TextToImage t && t.hires().isPresent()) {
      HiresFix h = t.hires().get();
      GenerationSettings second = h.secondPass(s);
      check(components, second, concat, tiledDecodeAbovePixels);
      if (!h.upscaler().isLatent()) {
        int f = components.firstStage().downsamplingFactor();
        HiresFix.Resolution r = h.resolve(s.width(), s.height());
        GenerationSettings upscaled = s.toBuilder().size(r.upscaleWidth() / f * f, r.upscaleHeight() / f * f).build();
        FirstStage firstStage = components.firstStage();
        if (firstStage.canEncode()) {
          require("VAE encoder", firstStage.fixedEncoderInputSize(), 1, upscaled);
        }
      }
    }
  }

  /**
   * Throws when the model cannot run size {@code s}; {@code encodes}: whether images of that size
   * go through the VAE encoder.
   */
  private static void check(LatentDiffusion components, GenerationSettings s, boolean encodes, long tiledDecodeAbovePixels) {
    FirstStage firstStage = components.firstStage();
    int f = firstStage.downsamplingFactor();
    if (s.width() % f != 0 || s.height() % f != 0) {
      throw new IllegalArgumentException(
          "width and height must be multiples of the model's downsampling factor " + f + ", got " + s.width() + "x" + s.height());
    }
    require("UNet", components.denoiser().fixedSampleSize(), f, s);
    if ((long) s.width() * s.height() <= tiledDecodeAbovePixels) {
      require("VAE decoder", firstStage.fixedDecoderInputSize(), f, s);
    }
    if (encodes && firstStage.canEncode()) {
      require("VAE encoder", firstStage.fixedEncoderInputSize(), 1, s);
    }
  }

  /** Throws unless {@code fixed} (in units of {@code scale} image pixels) agrees with the settings' size. */
  private static void require(String network, Optional<FixedSize> fixed, int scale, GenerationSettings s) {
    if (fixed.isEmpty() || fixed.get().accepts(s.height() / scale, s.width() / scale)) {
      return;
    }
    FixedSize fs = fixed.get();
    String accepted;
    if (fs.height().isPresent() && fs.width().isPresent()) {
      accepted = fs.width().getAsInt() * scale + "x" + fs.height().getAsInt() * scale + " images";
    } else if (fs.height().isPresent()) {
      accepted = "images " + fs.height().getAsInt() * scale + " px high";
    } else {
      accepted = "images " + fs.width().getAsInt() * scale + " px wide";
    }
    throw new IllegalArgumentException("this model's " + network + " accepts only " + accepted + " (its " + fs.input()
        + " input is fixed at " + fs.describe() + "); got " + s.width() + "x" + s.height());
  }
}
