package io.github.ldm4j.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.backend.onnx.internal.OrtTensors;
import io.github.ldm4j.backend.onnx.internal.Port;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.spi.contract.VaeContract;
import io.github.ldm4j.tensor.Tensor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The VAE of an ONNX export: {@code vae_decoder} ({@code latent_sample} → {@code sample}) and, when
 * present, {@code vae_encoder} ({@code sample} → {@code latent_sample}, already sampled (legacy), or
 * → {@code latent_parameters}, mean ‖ log-variance (optimum)). Float32 or float16.
 *
 * <p><b>Ownership:</b> owns both sessions; {@link #close()} releases each once. Thread-safe.
 */
public final class OnnxFirstStage implements FirstStage {

  private static final int FACTOR = 8;

  private final OnnxSession decoder;
  private final Optional<OnnxSession> encoder;
  private final double scaleFactor;
  private final VaeContract decoderContract;
  private final Optional<VaeContract> encoderContract;
  private final Port decIn;

  /**
   * Adapts to the sessions' contracts ({@link VaeContract}); takes ownership of both (closing them
   * on rejection).
   *
   * @param scaleFactor the model's {@code scaling_factor}
   * @throws IllegalArgumentException naming the tensor and what was expected when a contract is unknown
   */
  public OnnxFirstStage(OnnxSession decoder, Optional<OnnxSession> encoder, double scaleFactor) {
    this.decoder = decoder;
    this.encoder = encoder;
    this.scaleFactor = scaleFactor;
    try {
      if (!(scaleFactor > 0) || !Double.isFinite(scaleFactor)) {
        throw new IllegalArgumentException("scale factor must be finite and > 0, got " + scaleFactor);
      }
      this.decoderContract = VaeContract.decoder(decoder.what(), decoder.inputContract(), decoder.outputContract());
      this.decIn = decoder.inputs().get(decoderContract.input().name());
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
    OnnxSession e = encoder.orElseThrow(() -> new UnsupportedOperationException(
        "this model has no vae_encoder/model.onnx, so it cannot encode images (img2img and inpainting need it)"));
    if (image.rank() != 4 || image.dim(1) != 3 || image.dim(2) % FACTOR != 0 || image.dim(3) % FACTOR != 0) {
      throw new IllegalArgumentException(
          "image must be [B, 3, H, W] with H and W multiples of " + FACTOR + ", got " + image.shape());
    }
    VaeContract c = encoderContract.get();
    Tensor out = run(e, image, e.inputs().get(c.input().name()), c.output().name());
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
    return run(decoder, latent, decIn, decoderContract.output().name());
  }

  private static Tensor run(OnnxSession s, Tensor input, Port in, String out) {
    try (OnnxTensor t = OrtTensors.floats(input, in.type());
        OrtSession.Result r = s.run(Map.of(in.name(), t), Set.of(out), Map.of())) {
      return OrtTensors.toTensor((OnnxTensor) r.get(0), s.component().folderName() + " output " + out);
    }
  }

  /** Whether the decoder's tensors are float16. */
  public boolean isFloat16() {
    return decIn.type() == OnnxJavaType.FLOAT16;
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (OnnxSession s : encoder.isPresent() ? new OnnxSession[] {decoder, encoder.get()} : new OnnxSession[] {decoder}) {
      try {
        s.close();
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
