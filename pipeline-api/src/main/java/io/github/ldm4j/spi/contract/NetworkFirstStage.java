package io.github.ldm4j.spi.contract;

import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.FixedSize;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;
import java.util.Optional;
import java.util.List;
import java.util.Map;
import io.github.ldm4j.spi.Feed;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.spi.NetworkSet;

/**
 * A first stage made of a VAE decoder network and an optional encoder network of any backend (not
 * necessarily the same one), each adapted to its {@link VaeContract}: {@code vae_decoder} ({@code
 * latent_sample} → {@code sample}) and, when present, {@code vae_encoder} ({@code sample} → {@code
 * latent_sample}, already sampled (legacy), or → {@code latent_parameters}, mean ‖ log-variance
 * (optimum)); float32 or float16; shape checks and closing.
 *
 * <p>The encoder's contract is read when it is first needed (an image to encode, or its fixed input
 * size asked), so an encoder opened lazily ({@link io.github.ldm4j.spi.LazyNetwork}) stays closed
 * for text-to-image.
 *
 * <p><b>Ownership:</b> owns both networks; {@link #close()} closes each, reporting the first failure
 * with the others suppressed (the networks' own close is idempotent, so this one is too).
 */
public final class NetworkFirstStage implements FirstStage {

  /** The spatial downsampling factor of SD's autoencoder. */
  protected static final int FACTOR = 8;

  private final Network decoder;
  private final Optional<Network> encoder;
  private final double scaleFactor;
  private final VaeContract decoderContract;
  private Optional<VaeContract> encoderContract; // read from the encoder on first use: it may be opened lazily

  /**
   * Adapts to the networks' contracts; takes ownership of both (closing them on rejection).
   *
   * @param scaleFactor the model's {@code scaling_factor}
   * @throws IllegalArgumentException naming the tensor and what was expected when a contract is unknown
   */
  public NetworkFirstStage(Network decoder, Optional<Network> encoder, double scaleFactor) {
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.scaleFactor = scaleFactor;
    try {
      if (!(scaleFactor > 0) || !Double.isFinite(scaleFactor)) {
        throw new IllegalArgumentException("scale factor must be finite and > 0, got " + scaleFactor);
      }
      this.decoderContract = VaeContract.decoder(decoder.what(), decoder.inputs(), decoder.outputs());
    } catch (RuntimeException ex) {
      NetworkSet.closeAfterFailure(ex, networks());
      throw ex;
    }
  }

  /** Runs {@code network} on {@code input} fed to the contract's input, returning its output. */
  private static Tensor run(Network network, Tensor input, VaeContract contract) {
    return network.run(Map.of(contract.input().name(), new Feed.Floats(input)), List.of(contract.output().name()))
        .getFirst();
  }

  /** The decoder network. */
  public Network decoder() {
    return decoder;
  }

  /** The encoder network, if the model has one. */
  public Optional<Network> encoder() {
    return encoder;
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
    return encoderContract().flatMap(VaeContract::fixedInputSize);
  }

  private synchronized Optional<VaeContract> encoderContract() {
    if (encoderContract == null) {
      encoderContract = encoder.map(e -> VaeContract.encoder(e.what(), e.inputs(), e.outputs()));
    }
    return encoderContract;
  }

  /** From the decoder contract's declared input. */
  @Override
  public Optional<FixedSize> fixedDecoderInputSize() {
    return decoderContract.fixedInputSize();
  }

  @Override
  public LatentDistribution encode(Tensor image) {
    Network e = encoder.orElseThrow(() -> new UnsupportedOperationException(
        "this model has no vae_encoder network, so it cannot encode images (img2img and inpainting need it)"));
    if (image.rank() != 4 || image.dim(1) != 3 || image.dim(2) % FACTOR != 0 || image.dim(3) % FACTOR != 0) {
      throw new IllegalArgumentException(
          "image must be [B, 3, H, W] with H and W multiples of " + FACTOR + ", got " + image.shape());
    }
    VaeContract c = encoderContract().orElseThrow();
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
    RuntimeException failure = NetworkSet.closeAll("closing the VAE networks", networks());
    if (failure != null) {
      throw failure;
    }
  }

  private List<Network> networks() {
    return java.util.Arrays.asList(decoder, encoder.orElse(null));
  }
}
