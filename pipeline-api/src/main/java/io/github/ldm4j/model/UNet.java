package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;

/**
 * The denoising network as a backend runs it (the UNet of {@code DiffusionWrapper.diffusion_model}):
 * already-routed inputs in, the raw prediction out. Backends implement this; the pipeline reaches it
 * through a {@link Denoiser}, which routes {@link Conditioning} first.
 *
 * <p>Implementations that hold native sessions own them and release them in {@link #close()},
 * which must be idempotent. Implementations must be safe to call from several threads.
 */
public interface UNet extends AutoCloseable {

  /** Which conditioning the network takes. */
  ConditioningKey conditioningKey();

  /** What the output predicts. */
  Parameterization parameterization();

  /** Channels of the network input, concatenated conditioning channels included (9 for SD inpainting). */
  int inChannels();

  /** Channels of the output (the latent channels). */
  int outChannels();

  /**
   * Runs the network.
   *
   * @param sample {@code [B, inChannels, h, w]}
   * @param timesteps {@code [B]} discrete timesteps (fractional values allowed)
   * @param context {@code [B, tokens, dim]} for cross-attention keys, empty otherwise
   * @return {@code [B, outChannels, h, w]} in this network's {@link #parameterization()}
   */
  Tensor forward(Tensor sample, Tensor timesteps, Optional<Tensor> context);

  /**
   * The latent size the network's {@code sample} input is fixed at by its declaration, if any
   * (exports with static spatial dimensions run on that size only). The default: unconstrained.
   */
  default Optional<FixedSize> fixedSampleSize() {
    return Optional.empty();
  }

  /** Releases native resources; idempotent. The default holds none. */
  @Override
  default void close() {}
}
