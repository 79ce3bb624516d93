package io.github.ldm4j.model;

import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;
import java.util.Optional;

/**
 * The concat conditioning of SD inpainting models (9-channel UNet: latent 4 ‖ mask 1 ‖ masked-image
 * latent 4), as CompVis' inpainting script and diffusers build it: the mask is binarised (≥ 0.5 →
 * 1, the region to repaint), the image is masked ({@code image · (mask < 0.5)}), encoded by the
 * first stage and scaled by its scale factor; the mask is downsampled to latent resolution.
 *
 * <p>Masks are {@code [B, 1, H, W]} with values in [0, 1], 1 = repaint; images {@code [B, 3, H, W]}
 * in [−1, 1]; H and W multiples of the downsampling factor.
 */
public final class InpaintingConditioning {

  private InpaintingConditioning() {}

  /**
   * The concat channels {@code [B, 1 + C, h, w]}: the binarised mask downsampled to the latent's
   * size by {@code rule}, then {@code maskedImageLatent} ({@code [B, C, h, w]}, already scaled).
   *
   * @throws IllegalArgumentException when the mask is not {@code [B, 1, H, W]} in [0, 1], or its
   *     batch or size is not the latent's times a whole factor
   */
  public static Tensor channels(Tensor mask, Tensor maskedImageLatent, MaskDownsampling rule) {
    requireRank("masked-image latent", maskedImageLatent, 4);
    requireMask(mask);
    int h = maskedImageLatent.dim(2);
    int w = maskedImageLatent.dim(3);
    if (mask.dim(0) != maskedImageLatent.dim(0)) {
      throw new IllegalArgumentException(
          "mask batch " + mask.dim(0) + " does not match masked-image latent batch " + maskedImageLatent.dim(0));
    }
    if (mask.dim(2) % h != 0 || mask.dim(3) % w != 0 || mask.dim(2) / h != mask.dim(3) / w) {
      throw new IllegalArgumentException(
          "mask " + mask.shape() + " is not the latent size " + h + "x" + w + " times one whole factor");
    }
    Tensor small = downsampleMask(mask, mask.dim(2) / h, rule);
    return Tensor.concat(1, small, maskedImageLatent);
  }

  /** {@link #channels} as {@code concat} conditioning. */
  public static Conditioning concat(Tensor mask, Tensor maskedImageLatent, MaskDownsampling rule) {
    return Conditioning.concat(channels(mask, maskedImageLatent, rule));
  }

  /**
   * The binarised mask at 1/{@code factor} resolution, {@code [B, 1, H/f, W/f]}.
   *
   * @throws IllegalArgumentException when H or W is not a multiple of {@code factor}
   */
  public static Tensor downsampleMask(Tensor mask, int factor, MaskDownsampling rule) {
    requireMask(mask);
    Objects.requireNonNull(rule, "rule");
    if (factor < 1) {
      throw new IllegalArgumentException("downsampling factor must be >= 1, got " + factor);
    }
    int b = mask.dim(0);
    int hh = mask.dim(2);
    int ww = mask.dim(3);
    if (hh % factor != 0 || ww % factor != 0) {
      throw new IllegalArgumentException(
          "mask " + mask.shape() + ": height and width must be multiples of the downsampling factor " + factor);
    }
    int h = hh / factor;
    int w = ww / factor;
    Tensor out = Tensor.zeros(b, 1, h, w);
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          float v = switch (rule) {
            case NEAREST -> binary(mask.get((n * hh + i * factor) * ww + j * factor));
            case ANY_MASKED -> {
              float m = 0;
              for (int di = 0; di < factor && m == 0; di++) {
                for (int dj = 0; dj < factor; dj++) {
                  if (binary(mask.get((n * hh + i * factor + di) * ww + j * factor + dj)) == 1f) {
                    m = 1f;
                    break;
                  }
                }
              }
              yield m;
            }
          };
          out.set((n * h + i) * w + j, v);
        }
      }
    }
    return out;
  }

  /** The mask binarised: 1 where ≥ 0.5, else 0. */
  public static Tensor binarizeMask(Tensor mask) {
    requireMask(mask);
    return mask.map(v -> binary((float) v));
  }

  /**
   * {@code image · (mask < 0.5)}: the pixels to repaint set to 0.
   *
   * @throws IllegalArgumentException when the image is not {@code [B, 3, H, W]} with the mask's
   *     batch and size
   */
  public static Tensor maskedImage(Tensor image, Tensor mask) {
    requireMask(mask);
    requireRank("image", image, 4);
    if (image.dim(0) != mask.dim(0) || image.dim(2) != mask.dim(2) || image.dim(3) != mask.dim(3)) {
      throw new IllegalArgumentException(
          "image " + image.shape() + " and mask " + mask.shape() + " differ in batch or size; expected [B, C, H, W] and [B, 1, H, W]");
    }
    image.requireFinite("image");
    int b = image.dim(0);
    int c = image.dim(1);
    int hw = image.dim(2) * image.dim(3);
    Tensor out = Tensor.zeros(image.shape());
    for (int n = 0; n < b; n++) {
      for (int k = 0; k < c; k++) {
        for (int p = 0; p < hw; p++) {
          float keep = mask.get(n * hw + p) < 0.5f ? 1f : 0f;
          int i = (n * c + k) * hw + p;
          out.set(i, image.get(i) * keep);
        }
      }
    }
    return out;
  }

  /**
   * The masked image through the first stage, scaled by its scale factor: the mode of the latent
   * distribution, or a sample when {@code rng} is given (CompVis {@code get_first_stage_encoding}
   * and diffusers sample).
   *
   * @throws UnsupportedOperationException when the first stage cannot encode
   */
  public static Tensor encodeMaskedImage(FirstStage firstStage, Tensor image, Tensor mask, Optional<RandomSource> rng) {
    Objects.requireNonNull(firstStage, "firstStage");
    Objects.requireNonNull(rng, "rng");
    if (image.dim(2) % firstStage.downsamplingFactor() != 0 || image.dim(3) % firstStage.downsamplingFactor() != 0) {
      throw new IllegalArgumentException(
          "image " + image.shape() + ": height and width must be multiples of " + firstStage.downsamplingFactor());
    }
    LatentDistribution dist = firstStage.encode(maskedImage(image, mask));
    Tensor z = rng.map(dist::sample).orElseGet(dist::mode);
    return z.scale(firstStage.scaleFactor());
  }

  /**
   * Everything from pixels: {@link #encodeMaskedImage} then {@link #channels}.
   *
   * @return {@code [B, 1 + C, H/f, W/f]}
   */
  public static Tensor fromImage(
      FirstStage firstStage, Tensor image, Tensor mask, MaskDownsampling rule, Optional<RandomSource> rng) {
    return channels(mask, encodeMaskedImage(firstStage, image, mask, rng), rule);
  }

  private static float binary(float v) {
    return v >= 0.5f ? 1f : 0f;
  }

  private static void requireMask(Tensor mask) {
    requireRank("mask", mask, 4);
    if (mask.dim(1) != 1) {
      throw new IllegalArgumentException("mask must be [B, 1, H, W], got shape " + mask.shape());
    }
    for (int i = 0; i < mask.size(); i++) {
      float v = mask.get(i);
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException(
            "mask values must be in [0, 1] (1 = repaint), got " + v + " at flat index " + i + " of " + mask.shape());
      }
    }
  }

  private static void requireRank(String what, Tensor t, int rank) {
    Objects.requireNonNull(t, what);
    if (t.rank() != rank) {
      throw new IllegalArgumentException(what + " must have rank " + rank + ", got shape " + t.shape());
    }
  }
}
