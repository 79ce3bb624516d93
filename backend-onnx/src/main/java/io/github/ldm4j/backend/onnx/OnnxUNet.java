package io.github.ldm4j.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.backend.onnx.internal.OrtTensors;
import io.github.ldm4j.backend.onnx.internal.Port;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.UNet;
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
public final class OnnxUNet implements UNet {

  /** How the network takes its timestep. */
  enum TimestepForm {
    FLOAT_VECTOR,
    FLOAT_SCALAR,
    INT64_VECTOR,
    INT64_SCALAR
  }

  private final OnnxSession session;
  private final Parameterization parameterization;
  private final Port sample;
  private final Port timestep;
  private final TimestepForm timestepForm;
  private final Optional<Port> context;
  private final Port output;
  private final int inChannels;
  private final int outChannels;

  /**
   * Adapts to the session's contract. Takes ownership of {@code session} (closing it if the
   * contract is rejected).
   *
   * @param configInChannels {@code in_channels} from {@code unet/config.json}, used when the
   *     session's channel dimension is dynamic
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public OnnxUNet(OnnxSession session, Parameterization parameterization, OptionalInt configInChannels) {
    this.session = session;
    this.parameterization = parameterization;
    try {
      Map<String, Port> in = session.inputs();
      this.sample = find(in, "sample", List.of("sample", "x", "latent_model_input"));
      require(sample.isFloating() && sample.rank() == 4, sample, "float or float16 [B, C, h, w]");
      this.timestep = find(in, "timestep", List.of("timestep", "timesteps", "t"));
      this.timestepForm = switch (timestep.type()) {
        case FLOAT, FLOAT16 -> timestep.rank() == 0 ? TimestepForm.FLOAT_SCALAR : TimestepForm.FLOAT_VECTOR;
        case INT64 -> timestep.rank() == 0 ? TimestepForm.INT64_SCALAR : TimestepForm.INT64_VECTOR;
        default -> throw contract(timestep, "float [B], float scalar or int64 [B]");
      };
      if (timestep.rank() > 1) {
        throw contract(timestep, "rank 0 or 1");
      }
      this.context = in.containsKey("encoder_hidden_states") ? Optional.of(in.get("encoder_hidden_states")) : Optional.empty();
      context.ifPresent(c -> require(c.isFloating() && c.rank() == 3, c, "float or float16 [B, tokens, dim]"));
      List<String> unknown = new ArrayList<>(in.keySet());
      unknown.removeAll(List.of(sample.name(), timestep.name(), "encoder_hidden_states"));
      if (!unknown.isEmpty()) {
        throw new IllegalArgumentException(
            "unet (" + session.file() + ") has inputs ldm4j cannot feed: " + unknown
                + "; expected only sample, timestep and encoder_hidden_states");
      }
      Map<String, Port> outs = session.outputs();
      this.output = outs.containsKey("out_sample") ? outs.get("out_sample") : single(outs);
      require(output.isFloating() && output.rank() == 4, output, "float or float16 [B, C, h, w]");
      long staticIn = sample.staticDim(1);
      this.inChannels = staticIn > 0 ? (int) staticIn : configInChannels.orElse(4);
      long staticOut = output.staticDim(1);
      this.outChannels = staticOut > 0 ? (int) staticOut : (inChannels == 9 ? 4 : Math.min(inChannels, 4));
      if (outChannels > inChannels) {
        throw contract(output, "no more channels than the input's " + inChannels);
      }
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private Port find(Map<String, Port> ports, String role, List<String> names) {
    for (String n : names) {
      if (ports.containsKey(n)) {
        return ports.get(n);
      }
    }
    throw new IllegalArgumentException(
        "unet (" + session.file() + ") has no '" + role + "' input (looked for " + names + "); it has " + ports.values());
  }

  private Port single(Map<String, Port> outs) {
    if (outs.size() != 1) {
      throw new IllegalArgumentException(
          "unet (" + session.file() + ") has no 'out_sample' output and not exactly one output: " + outs.values());
    }
    return outs.values().iterator().next();
  }

  private void require(boolean ok, Port p, String expected) {
    if (!ok) {
      throw contract(p, expected);
    }
  }

  private IllegalArgumentException contract(Port p, String expected) {
    return new IllegalArgumentException(
        "unet (" + session.file() + "): tensor '" + p.name() + "' is " + p + ", expected " + expected);
  }

  @Override
  public ConditioningKey conditioningKey() {
    boolean concat = inChannels > outChannels;
    if (context.isPresent()) {
      return concat ? ConditioningKey.HYBRID : ConditioningKey.CROSSATTN;
    }
    return concat ? ConditioningKey.CONCAT : ConditioningKey.NONE;
  }

  @Override
  public Parameterization parameterization() {
    return parameterization;
  }

  @Override
  public int inChannels() {
    return inChannels;
  }

  @Override
  public int outChannels() {
    return outChannels;
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
        Tensor out = Tensor.zeros(b, outChannels, x.dim(2), x.dim(3));
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
    int b = timesteps.dim(0);
    float[] ts = timesteps.toArray();
    return switch (timestepForm) {
      case FLOAT_VECTOR -> OrtTensors.floatVector(ts, false, timestep.type());
      case FLOAT_SCALAR -> OrtTensors.floatVector(new float[] {sameForBatch(ts)}, true, timestep.type());
      case INT64_VECTOR, INT64_SCALAR -> {
        long[] l = new long[timestepForm == TimestepForm.INT64_SCALAR ? 1 : b];
        for (int i = 0; i < l.length; i++) {
          l[i] = Math.round(timestepForm == TimestepForm.INT64_SCALAR ? sameForBatch(ts) : ts[i]);
        }
        yield OrtTensors.longVector(l, timestepForm == TimestepForm.INT64_SCALAR);
      }
    };
  }

  private float sameForBatch(float[] ts) {
    for (float v : ts) {
      if (v != ts[0]) {
        throw new IllegalArgumentException(
            "this unet (" + session.file() + ") takes one scalar timestep, but the batch has different timesteps");
      }
    }
    return ts[0];
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
