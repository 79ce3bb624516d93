package io.github.ldm4j.generate;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;

/**
 * Inpainting with an ordinary (4-channel) UNet by latent blending, as a model wrapper so that any
 * sampler runs it unchanged: before each model call the known region of x<sub>t</sub> is replaced
 * by the init latent noised to the same level (√ᾱ·z₀ + √(1−ᾱ)·ε, with the run's own noise ε), and
 * the prediction is returned so that its x₀ is z₀ in the known region. After sampling, {@link
 * #blendFinal} pastes z₀ back into the known region.
 */
final class LatentBlend implements ModelFunction {

  private final ModelFunction inner;
  private final Parameterization parameterization;
  private final DiffusionSchedule schedule;
  private final Tensor z0;
  private final Tensor noise;
  private final Tensor mask; // [B, 1, h, w], 1 = generate

  LatentBlend(ModelFunction inner, Parameterization p, DiffusionSchedule schedule, Tensor z0, Tensor noise, Tensor mask) {
    this.inner = inner;
    this.parameterization = p;
    this.schedule = schedule;
    this.z0 = z0;
    this.noise = noise;
    this.mask = mask;
    z0.requireSameShape("noise", noise);
    if (mask.rank() != 4 || mask.dim(1) != 1 || mask.dim(0) != z0.dim(0) || mask.dim(2) != z0.dim(2) || mask.dim(3) != z0.dim(3)) {
      throw new IllegalArgumentException("latent mask " + mask.shape() + " does not fit latent " + z0.shape());
    }
  }

  @Override
  public Tensor apply(Tensor x, double t) {
    double ab = schedule.alphaBarAt(t);
    Tensor known = Tensor.lincomb(Math.sqrt(ab), z0, Math.sqrt(1 - ab), noise);
    Tensor xb = blend(x, known, mask);
    Tensor out = inner.apply(xb, t);
    Tensor x0 = blend(parameterization.toX0(out, xb, ab), z0, mask);
    Tensor eps = Tensor.lincomb(1 / Math.sqrt(1 - ab), x, -Math.sqrt(ab) / Math.sqrt(1 - ab), x0);
    return parameterization.target(x0, eps, ab);
  }

  /** The final latent with z₀ in the known region. */
  Tensor blendFinal(Tensor z) {
    return blend(z, z0, mask);
  }

  /** {@code m·generated + (1 − m)·known}, the one-channel mask broadcast over channels. */
  static Tensor blend(Tensor generated, Tensor known, Tensor mask) {
    generated.requireSameShape("blend", known);
    int b = generated.dim(0);
    int c = generated.dim(1);
    int hw = generated.dim(2) * generated.dim(3);
    Tensor out = Tensor.zeros(generated.shape());
    for (int n = 0; n < b; n++) {
      for (int k = 0; k < c; k++) {
        for (int p = 0; p < hw; p++) {
          int i = (n * c + k) * hw + p;
          float m = mask.get(n * hw + p);
          out.set(i, m * generated.get(i) + (1 - m) * known.get(i));
        }
      }
    }
    return out;
  }
}
