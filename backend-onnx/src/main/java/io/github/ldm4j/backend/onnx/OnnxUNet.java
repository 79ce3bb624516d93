package io.github.ldm4j.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.backend.onnx.internal.OrtTensors;
import io.github.ldm4j.backend.onnx.internal.Port;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.spi.contract.ContractUNet;
import io.github.ldm4j.spi.contract.TimestepForm;
import io.github.ldm4j.spi.contract.UNetContract;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The UNet of an ONNX export. Its tensor contract is read from the session at load time and
 * adapted to: {@code sample} float32 or float16; {@code timestep} as float [B] (legacy), float
 * scalar (optimum), int64 [B] (older and OpenVINO-style exports; fractional timesteps are rounded
 * to the nearest integer for those) ; optional {@code encoder_hidden_states}; output {@code
 * out_sample}. The conditioning key follows from the contract: cross-attention when the network
 * takes {@code encoder_hidden_states}, plus concatenation when it takes more input than output
 * channels (the 9-channel inpainting UNet is {@code hybrid}).
 *
 * <p><b>Ownership:</b> owns its session; {@link #close()} releases it once. Thread-safe.
 */
public final class OnnxUNet implements ContractUNet {

  private final OnnxSession session;
  private final Parameterization parameterization;
  private final UNetContract contract;
  private final Port sample;
  private final Port timestep;
  private final Optional<Port> context;
  private final Port output;

  /**
   * Adapts to the session's contract ({@link UNetContract}). Takes ownership of {@code session}
   * (closing it if the contract is rejected).
   *
   * @param configInChannels {@code in_channels} from {@code unet/config.json}, used when the
   *     session's channel dimension is dynamic
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public OnnxUNet(OnnxSession session, Parameterization parameterization, OptionalInt configInChannels) {
    this.session = session;
    this.parameterization = parameterization;
    try {
      this.contract = UNetContract.resolve(
          session.what(), session.inputContract(), session.outputContract(), configInChannels);
      Map<String, Port> in = session.inputs();
      this.sample = in.get(contract.sample().name());
      this.timestep = in.get(contract.timestep().name());
      this.context = contract.context().map(c -> in.get(c.name()));
      this.output = session.outputs().get(contract.output().name());
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  @Override
  public Parameterization parameterization() {
    return parameterization;
  }

  /** The contract read from the model. */
  @Override
  public UNetContract contract() {
    return contract;
  }

  /** Whether the network's float tensors are float16. */
  public boolean isFloat16() {
    return sample.type() == OnnxJavaType.FLOAT16;
  }

  @Override
  @SuppressWarnings("try") // the pinned-output run's result is only closed: the output is written in place
  public Tensor forward(Tensor x, Tensor timesteps, Optional<Tensor> ctx) {
    int b = x.dim(0);
    if (timesteps.rank() != 1 || timesteps.dim(0) != b) {
      throw new IllegalArgumentException("timesteps must be [" + b + "], got " + timesteps.shape());
    }
    if (context.isPresent() != ctx.isPresent()) {
      throw new IllegalArgumentException(context.isPresent()
          ? "this unet needs encoder_hidden_states (cross-attention context)"
          : "this unet takes no cross-attention context");
    }
    List<OnnxTensor> owned = new ArrayList<>(3);
    try {
      OnnxTensor s = OrtTensors.floats(x, sample.type());
      owned.add(s);
      OnnxTensor t = timestepTensor(timesteps);
      owned.add(t);
      Map<String, OnnxTensor> feeds = new java.util.HashMap<>();
      feeds.put(sample.name(), s);
      feeds.put(timestep.name(), t);
      if (ctx.isPresent()) {
        OnnxTensor c = OrtTensors.floats(ctx.get(), context.get().type());
        owned.add(c);
        feeds.put(context.get().name(), c);
      }
      if (output.type() == OnnxJavaType.FLOAT) {
        Tensor out = Tensor.zeros(b, contract.outChannels(), x.dim(2), x.dim(3));
        try (OnnxTensor pinned = OrtTensors.floats(out, OnnxJavaType.FLOAT);
            OrtSession.Result r = session.run(feeds, Set.of(), Map.of(output.name(), pinned))) {
          return out;
        }
      }
      try (OrtSession.Result r = session.run(feeds, Set.of(output.name()), Map.of())) {
        return OrtTensors.toTensor((OnnxTensor) r.get(0), "unet output " + output.name());
      }
    } catch (IllegalStateException e) {
      throw explainLatentSize(e, x);
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }

  /**
   * A failed run on a latent whose sides are not multiples of 8: SD UNets halve the latent at each of
   * their levels and concatenate skip connections on the way up, which fails (with an obscure
   * Concat error from ONNX Runtime) when a side cannot be halved exactly.
   */
  private static RuntimeException explainLatentSize(IllegalStateException e, Tensor x) {
    int h = x.dim(2);
    int w = x.dim(3);
    if (!(e.getCause() instanceof ai.onnxruntime.OrtException) || (h % 8 == 0 && w % 8 == 0)) {
      return e;
    }
    return new IllegalStateException(
        "the unet cannot run on a latent of " + w + "x" + h + " (image " + 8 * w + "x" + 8 * h + "): SD UNets halve the"
            + " latent at each level, so image sides usually must be multiples of 64; " + e.getMessage(), e.getCause());
  }

  private OnnxTensor timestepTensor(Tensor timesteps) {
    TimestepForm form = contract.timestepForm();
    float[] ts = timesteps.toArray();
    if (form.isInteger()) {
      return OrtTensors.longVector(form.longs(ts, session.file().toString()), form.isScalar());
    }
    return OrtTensors.floatVector(form.floats(ts, session.file().toString()), form.isScalar(), timestep.type());
  }

  @Override
  public void close() {
    session.close();
  }

  @Override
  public String toString() {
    return "OnnxUNet[" + session + ", key=" + conditioningKey() + ", " + parameterization + "]";
  }
}
