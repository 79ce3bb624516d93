package io.github.ldm4j.spi.contract;

import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.FixedSize;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A first stage made of a VAE decoder network and an optional encoder network of some backend,
 * each adapted to its {@link VaeContract}: shape checks, the encoder's output read as a point
 * sample ({@code latent_sample}) or as moments ({@code latent_parameters}), and closing. Backends
 * supply only how a network runs ({@link #run}).
 *
 * <p><b>Ownership:</b> owns both networks; {@link #close()} closes each once per call, reporting the
 * first failure with the others suppressed (the networks' own close must be idempotent).
 *
 * @param <N> the backend's network handle
 */
public abstract class NetworkFirstStage<N extends AutoCloseable> implements FirstStage {

  /** The spatial downsampling factor of SD's autoencoder. */
  protected static final int FACTOR = 8;

  private final N decoder;
  private final Optional<N> encoder;
  private final double scaleFactor;
  private final VaeContract decoderContract;
  private final Optional<VaeContract> encoderContract;

  /**
   * Adapts to the networks' contracts; takes ownership of both (closing them on rejection).
   *
   * @param scaleFactor the model's {@code scaling_factor}
   * @param decoderContract reads the decoder's contract
   * @param encoderContract reads the encoder's contract
   * @throws IllegalArgumentException naming the tensor and what was expected when a contract is unknown
   */
  protected NetworkFirstStage(N decoder, Optional<N> encoder, double scaleFactor,
      Function<N, VaeContract> decoderContract, Function<N, VaeContract> encoderContract) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.scaleFactor = scaleFactor;
    try {
      if (!(scaleFactor > 0) || !Double.isFinite(scaleFactor)) {
        throw new IllegalArgumentException("scale factor must be finite and > 0, got " + scaleFactor);
      }
      this.decoderContract = decoderContract.apply(decoder);
      this.encoderContract = encoder.map(encoderContract);
    } catch (RuntimeException ex) {
      closeNetworks(ex);
      throw ex;
    }
  }

  /** Runs {@code network} on {@code input} fed to the contract's input, returning its output. */
  protected abstract Tensor run(N network, Tensor input, VaeContract contract);

  /** The decoder network. */
  protected final N decoder() {
    return decoder;
  }

  /** The decoder's contract. */
  protected final VaeContract decoderContract() {
    return decoderContract;
  }

  @Override
  public int latentChannels() {
    return decoderContract.latentChannels();
  }

  @Override
  public int downsamplingFactor() {
    return FACTOR;
  }

  @Override
  public double scaleFactor() {
    return scaleFactor;
  }

  @Override
  public boolean canEncode() {
    return encoder.isPresent();
  }

  /** From the encoder contract's declared input. */
  @Override
  public Optional<FixedSize> fixedEncoderInputSize() {
    return encoderContract.flatMap(VaeContract::fixedInputSize);
  }

  /** From the decoder contract's declared input. */
  @Override
  public Optional<FixedSize> fixedDecoderInputSize() {
    return decoderContract.fixedInputSize();
  }

  @Override
  public LatentDistribution encode(Tensor image) {
    N e = encoder.orElseThrow(() -> new UnsupportedOperationException(
        "this model has no vae_encoder network, so it cannot encode images (img2img and inpainting need it)"));
    if (image.rank() != 4 || image.dim(1) != 3 || image.dim(2) % FACTOR != 0 || image.dim(3) % FACTOR != 0) {
      throw new IllegalArgumentException(
          "image must be [B, 3, H, W] with H and W multiples of " + FACTOR + ", got " + image.shape());
    }
    VaeContract c = encoderContract.orElseThrow();
    Tensor out = run(e, image, c);
    if (c.moments() || out.dim(1) == 2 * latentChannels()) {
      return LatentDistribution.fromMoments(out);
    }
    return LatentDistribution.deterministic(out);
  }

  @Override
  public Tensor decode(Tensor latent) {
    if (latent.rank() != 4 || latent.dim(1) != latentChannels()) {
      throw new IllegalArgumentException("latent must be [B, " + latentChannels() + ", h, w], got " + latent.shape());
    }
    return run(decoder, latent, decoderContract);
  }

  @Override
  public void close() {
    RuntimeException failure = closeNetworks(null);
    if (failure != null) {
      throw failure;
    }
  }

  private RuntimeException closeNetworks(RuntimeException primary) {
    RuntimeException failure = primary;
    for (Optional<N> n : java.util.List.of(Optional.of(decoder), encoder)) {
      if (n.isEmpty()) {
        continue;
      }
      try {
        n.get().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e instanceof RuntimeException re ? re : new IllegalStateException("closing a VAE network failed: " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return primary == null ? failure : null;
  }
}
