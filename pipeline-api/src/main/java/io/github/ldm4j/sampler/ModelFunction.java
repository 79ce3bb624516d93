package io.github.ldm4j.sampler;

import io.github.ldm4j.tensor.Tensor;

/**
 * The model as a sampler sees it: latent x<sub>t</sub> (variance-preserving scale, the network's
 * input) at a discrete timestep t (fractional allowed; the same for the whole batch) to the
 * network's raw prediction in its {@link io.github.ldm4j.model.Parameterization}. Conditioning and
 * classifier-free guidance are already bound inside: guidance wraps the model, never the sampler.
 */
@FunctionalInterface
public interface ModelFunction {

  /**
   * The prediction for {@code x} at timestep {@code t}.
   *
   * @param x {@code [B, C, h, w]}
   * @param t timestep in [0, T − 1]
   */
  Tensor apply(Tensor x, double t);
}
