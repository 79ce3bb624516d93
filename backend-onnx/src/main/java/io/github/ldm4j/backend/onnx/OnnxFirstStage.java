package io.github.ldm4j.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.backend.onnx.internal.OrtTensors;
import io.github.ldm4j.backend.onnx.internal.Port;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
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
  private final Port decIn;
  private final Port decOut;
  private final Optional<Port> encIn;
  private final Optional<Port> encOut;
  private final int latentChannels;

  /**
   * Adapts to the sessions' contracts; takes ownership of both (closing them on rejection).
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
      this.decIn = port(decoder, decoder.inputs(), "latent_sample", 4);
      this.decOut = port(decoder, decoder.outputs(), "sample", 4);
      this.latentChannels = decIn.staticDim(1) > 0 ? (int) decIn.staticDim(1) : 4;
      if (encoder.isPresent()) {
        OnnxSession e = encoder.get();
        this.encIn = Optional.of(port(e, e.inputs(), "sample", 4));
        Map<String, Port> outs = e.outputs();
        Port o = outs.containsKey("latent_parameters") ? outs.get("latent_parameters")
            : outs.containsKey("latent_sample") ? outs.get("latent_sample")
            : null;
        if (o == null || !o.isFloating() || o.rank() != 4) {
          throw new IllegalArgumentException(
              "vae_encoder (" + e.file() + ") needs a float 'latent_sample' or 'latent_parameters' [B, C, h, w] output; it has "
                  + outs.values());
        }
        this.encOut = Optional.of(o);
      } else {
        this.encIn = Optional.empty();
        this.encOut = Optional.empty();
      }
    } catch (RuntimeException ex) {
      close();
      throw ex;
    }
  }

  private static Port port(OnnxSession s, Map<String, Port> ports, String name, int rank) {
    Port p = ports.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          s.component().folderName() + " (" + s.file() + ") has no '" + name + "' tensor; it has " + ports.values());
    }
    if (!p.isFloating() || p.rank() != rank) {
      throw new IllegalArgumentException(
          s.component().folderName() + " (" + s.file() + "): tensor '" + name + "' is " + p + ", expected float or float16 of rank " + rank);
    }
    return p;
  }

  @Override
  public int latentChannels() {
    return latentChannels;
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
    Tensor out = run(e, image, encIn.get(), encOut.get());
    if (encOut.get().name().equals("latent_parameters") || out.dim(1) == 2 * latentChannels) {
      return LatentDistribution.fromMoments(out);
    }
    return LatentDistribution.deterministic(out);
  }

  @Override
  public Tensor decode(Tensor latent) {
    if (latent.rank() != 4 || latent.dim(1) != latentChannels) {
      throw new IllegalArgumentException("latent must be [B, " + latentChannels + ", h, w], got " + latent.shape());
    }
    return run(decoder, latent, decIn, decOut);
  }

  private static Tensor run(OnnxSession s, Tensor input, Port in, Port out) {
    try (OnnxTensor t = OrtTensors.floats(input, in.type());
        OrtSession.Result r = s.run(Map.of(in.name(), t), Set.of(out.name()), Map.of())) {
      return OrtTensors.toTensor((OnnxTensor) r.get(0), s.component().folderName() + " output " + out.name());
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
