package io.github.ldm4j.diffusion;

import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * How the latent {@code scale_factor} of CompVis {@code LatentDiffusion} is chosen: latents are
 * multiplied by it after encoding and divided by it before decoding, so the diffusion model sees
 * latents of about unit variance.
 */
public sealed interface ScaleFactor {

  /**
   * The value known before any data is seen: the fixed value, or the first stage's own; empty for
   * {@link ByStd}, which needs the first batch of latents ({@link #fromLatents}).
   */
  OptionalDouble initial(FirstStage firstStage);

  /** A fixed value, as the SD v1 config's {@code scale_factor: 0.18215}. */
  static ScaleFactor fixed(double value) {
    return new Fixed(value);
  }

  /** The value the first stage ships with ({@link FirstStage#scaleFactor()}). */
  static ScaleFactor fromFirstStage() {
    return new FromFirstStage();
  }

  /** CompVis {@code scale_by_std}: 1/std of the first batch of latents. */
  static ScaleFactor byStd() {
    return new ByStd();
  }

  /**
   * CompVis {@code scale_by_std}'s value for a batch of unscaled latents: {@code 1 / z.flatten().std()}
   * (sample standard deviation, divisor n − 1, as {@code torch.Tensor.std}).
   *
   * @throws IllegalArgumentException when the latents are non-finite, have fewer than two
   *     elements, or have zero spread
   */
  static double fromLatents(Tensor latents) {
    Objects.requireNonNull(latents, "latents");
    latents.requireFinite("latents for scale_by_std");
    if (latents.size() < 2) {
      throw new IllegalArgumentException(
          "scale_by_std needs at least two latent elements, got shape " + latents.shape());
    }
    double std = latents.std();
    if (!(std > 0)) {
      throw new IllegalArgumentException("scale_by_std: the latents have zero standard deviation, shape " + latents.shape());
    }
    return 1 / std;
  }

  /**
   * A fixed scale factor.
   *
   * @param value finite and &gt; 0
   */
  record Fixed(double value) implements ScaleFactor {
    /** Validates. */
    public Fixed {
      requirePositive("scale_factor", value);
    }

    @Override
    public OptionalDouble initial(FirstStage firstStage) {
      return OptionalDouble.of(value);
    }
  }

  /** The first stage's own value (e.g. the VAE config's {@code scaling_factor}). */
  record FromFirstStage() implements ScaleFactor {
    @Override
    public OptionalDouble initial(FirstStage firstStage) {
      double v = Objects.requireNonNull(firstStage, "firstStage").scaleFactor();
      requirePositive("first stage scale_factor", v);
      return OptionalDouble.of(v);
    }
  }

  /** CompVis {@code scale_by_std}: set once from the first batch of latents. */
  record ByStd() implements ScaleFactor {
    @Override
    public OptionalDouble initial(FirstStage firstStage) {
      return OptionalDouble.empty();
    }
  }

  private static void requirePositive(String what, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
    }
  }
}
