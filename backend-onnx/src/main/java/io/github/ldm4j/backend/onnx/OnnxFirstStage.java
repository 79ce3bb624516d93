package io.github.ldm4j.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.backend.onnx.internal.OrtTensors;
import io.github.ldm4j.backend.onnx.internal.Port;
import io.github.ldm4j.spi.contract.NetworkFirstStage;
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
public final class OnnxFirstStage extends NetworkFirstStage<OnnxSession> {

  private final Port decIn;

  /**
   * Adapts to the sessions' contracts ({@link VaeContract}); takes ownership of both (closing them
   * on rejection).
   *
   * @param scaleFactor the model's {@code scaling_factor}
   * @throws IllegalArgumentException naming the tensor and what was expected when a contract is unknown
   */
  public OnnxFirstStage(OnnxSession decoder, Optional<OnnxSession> encoder, double scaleFactor) {
    super(decoder, encoder, scaleFactor,
        d -> VaeContract.decoder(d.what(), d.inputContract(), d.outputContract()),
        e -> VaeContract.encoder(e.what(), e.inputContract(), e.outputContract()));
    this.decIn = decoder.inputs().get(decoderContract().input().name());
  }

  @Override
  protected Tensor run(OnnxSession s, Tensor input, VaeContract contract) {
    Port in = s.inputs().get(contract.input().name());
    String out = contract.output().name();
    try (OnnxTensor t = OrtTensors.floats(input, in.type());
        OrtSession.Result r = s.run(Map.of(in.name(), t), Set.of(out), Map.of())) {
      return OrtTensors.toTensor((OnnxTensor) r.get(0), s.component().folderName() + " output " + out);
    }
  }

  /** Whether the decoder's tensors are float16. */
  public boolean isFloat16() {
    return decIn.type() == OnnxJavaType.FLOAT16;
  }
}
