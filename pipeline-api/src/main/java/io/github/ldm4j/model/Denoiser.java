package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;

/**
 * CompVis {@code apply_model}: the denoising network behind its conditioning routing
 * ({@code DiffusionWrapper} + UNet). Takes x<sub>t</sub>, per-sample timesteps and a {@link
 * Conditioning}; returns the prediction in {@link #parameterization()}.
 */
public interface Denoiser extends AutoCloseable {

  /** What the output predicts. */
  Parameterization parameterization();

  /** The conditioning key accepted; any other {@link Conditioning} variant is rejected. */
  ConditioningKey conditioningKey();

  /** Latent channels of x<sub>t</sub> (the network's input channels minus concatenated ones). */
  int latentChannels();

  /**
   * The model output for latent {@code x} ({@code [B, C, h, w]}) at timesteps {@code t} ({@code
   * [B]}).
   *
   * @throws IllegalArgumentException for conditioning of another key, or mismatched shapes
   */
  Tensor applyModel(Tensor x, Tensor t, Conditioning conditioning);

  /**
   * The latent size the network's input is fixed at, if any ({@link UNet#fixedSampleSize()}). The
   * default: unconstrained.
   */
  default Optional<FixedSize> fixedSampleSize() {
    return Optional.empty();
  }

  /** Releases what the denoiser owns; idempotent. */
  @Override
  void close();

  /**
   * Wraps a network so that conditioning is routed by its {@link UNet#conditioningKey()}. The
   * returned denoiser owns the network: closing it closes the network.
   */
  static Denoiser of(UNet network) {
    return new DiffusionWrapper(network);
  }
}
