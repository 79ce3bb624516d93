package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.Feed;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.spi.contract.VaeContract;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The VAE on OpenVINO: {@code vae_decoder} and, when present, {@code vae_encoder} ({@link
 * VaeContract}). With static shapes each new batch × resolution is reshaped and compiled once.
 *
 * <p><b>Ownership:</b> owns both networks; {@link #close()} frees each once. Thread-safe.
 */
public final class OpenVinoFirstStage implements FirstStage {

  private static final int FACTOR = 8;

  private final OvNetwork decoder;
  private final Optional<OvNetwork> encoder;
  private final double scaleFactor;
  private final VaeContract decoderContract;
  private final Optional<VaeContract> encoderContract;

  /**
   * Adapts to the networks' contracts; takes ownership of both (closing them on rejection).
   *
   * @param scaleFactor the model's {@code scaling_factor}
   * @throws IllegalArgumentException naming the tensor and what was expected when a contract is unknown
   */
  public OpenVinoFirstStage(OvNetwork decoder, Optional<OvNetwork> encoder, double scaleFactor) {
    this.decoder = decoder;
    this.encoder = encoder;
    this.scaleFactor = scaleFactor;
    try {
      if (!(scaleFactor > 0) || !Double.isFinite(scaleFactor)) {
        throw new IllegalArgumentException("scale factor must be finite and > 0, got " + scaleFactor);
      }
      this.decoderContract = VaeContract.decoder(decoder.what(), decoder.inputContract(), decoder.outputContract());
      this.encoderContract = encoder.map(e -> VaeContract.encoder(e.what(), e.inputContract(), e.outputContract()));
    } catch (RuntimeException ex) {
      close();
      throw ex;
    }
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

  @Override
  public LatentDistribution encode(Tensor image) {
    OvNetwork e = encoder.orElseThrow(() -> new UnsupportedOperationException(
        "this model has no vae_encoder network, so it cannot encode images (img2img and inpainting need it)"));
    if (image.rank() != 4 || image.dim(1) != 3 || image.dim(2) % FACTOR != 0 || image.dim(3) % FACTOR != 0) {
      throw new IllegalArgumentException(
          "image must be [B, 3, H, W] with H and W multiples of " + FACTOR + ", got " + image.shape());
    }
    VaeContract c = encoderContract.get();
    Tensor out = e.infer(Map.of(c.input().name(), new Feed.Floats(image)), List.of(c.output().name())).getFirst();
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
    return decoder.infer(Map.of(decoderContract.input().name(), new Feed.Floats(latent)),
        List.of(decoderContract.output().name())).getFirst();
  }

  /** The decoder network (compile counts, device). */
  public OvNetwork decoderNetwork() {
    return decoder;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (OvNetwork n : encoder.isPresent() ? new OvNetwork[] {decoder, encoder.get()} : new OvNetwork[] {decoder}) {
      try {
        n.close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
