package io.github.ldm4j.reference.training;

import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * The model as {@code p_losses} calls it: latents {@code [B, ...]} with one integer timestep per
 * batch item to the raw prediction, conditioning already bound.
 */
@FunctionalInterface
public interface BatchModel {

  /**
   * The prediction for {@code x} at per-item timesteps {@code t}.
   *
   * @param x {@code [B, ...]}
   * @param t {@code B} timesteps
   */
  Tensor apply(Tensor x, int[] t);

  /** A denoiser under fixed conditioning ({@code apply_model(x, t, cond)}). */
  static BatchModel of(Denoiser denoiser, Conditioning conditioning) {
    Objects.requireNonNull(denoiser, "denoiser");
    Objects.requireNonNull(conditioning, "conditioning");
    return (x, t) -> denoiser.applyModel(x, timestepTensor(t), conditioning);
  }

  /** Timesteps as the float {@code [B]} tensor a {@link Denoiser} takes. */
  static Tensor timestepTensor(int[] t) {
    float[] f = new float[t.length];
    for (int i = 0; i < t.length; i++) {
      f[i] = t[i];
    }
    return Tensor.of(f, t.length);
  }
}
