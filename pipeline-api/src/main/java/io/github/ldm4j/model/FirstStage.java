package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;

/**
 * The first-stage autoencoder (CompVis {@code AutoencoderKL} role): images in [−1, 1] to latent
 * distributions and latents back to images. Latents here are <em>unscaled</em>: the {@code
 * scale_factor} is applied by {@link io.github.ldm4j.pipeline.LatentDiffusion}
 * ({@code encode_first_stage}/{@code decode_first_stage}).
 *
 * <p>Implementations holding native sessions own them and release them in {@link #close()}
 * (idempotent); they must be safe to call from several threads.
 */
public interface FirstStage extends AutoCloseable {

  /** Channels of the latent (4 for SD). */
  int latentChannels();

  /** Spatial downsampling factor between image and latent (8 for SD). */
  int downsamplingFactor();

  /**
   * The scale factor the model ships with (the VAE config's {@code scaling_factor}; 0.18215 for
   * SD v1 when absent).
   */
  double scaleFactor();

  /** Whether {@link #encode} is available (exports may ship the decoder only). */
  boolean canEncode();

  /**
   * Encodes images {@code [B, 3, H, W]} in [−1, 1], H and W multiples of {@link
   * #downsamplingFactor()}.
   *
   * @throws UnsupportedOperationException when {@link #canEncode()} is false
   */
  LatentDistribution encode(Tensor image);

  /** Decodes unscaled latents {@code [B, C, h, w]} to images {@code [B, 3, h·f, w·f]} in about [−1, 1]. */
  Tensor decode(Tensor latent);

  /**
   * The image size the encoder's input is fixed at by its declaration, if any. The default:
   * unconstrained.
   */
  default Optional<FixedSize> fixedEncoderInputSize() {
    return Optional.empty();
  }

  /**
   * The latent size the decoder's input is fixed at by its declaration, if any. The default:
   * unconstrained.
   */
  default Optional<FixedSize> fixedDecoderInputSize() {
    return Optional.empty();
  }

  /** Releases native resources; idempotent. The default holds none. */
  @Override
  default void close() {}
}
