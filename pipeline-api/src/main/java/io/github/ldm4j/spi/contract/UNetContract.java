package io.github.ldm4j.spi.contract;

import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.FixedSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The tensor contract of a UNet export, read from its declared ports: {@code sample} (or {@code x},
 * {@code latent_model_input}) float [B, C, h, w]; {@code timestep} (or {@code timesteps}, {@code t})
 * in a {@link TimestepForm}; optional {@code encoder_hidden_states} float [B, tokens, dim]; output
 * {@code out_sample} (or the only output) float [B, C, h, w]. The conditioning key follows from the
 * contract: cross-attention when the network takes {@code encoder_hidden_states}, plus concatenation
 * when it takes more input than output channels (the 9-channel inpainting UNet is {@code hybrid}).
 *
 * @param sample the noisy-latent input
 * @param timestep the timestep input
 * @param timestepForm how the timestep is fed
 * @param context the cross-attention input, if any
 * @param output the prediction output
 * @param inChannels input channels (concatenated conditioning included)
 * @param outChannels output channels
 */
public record UNetContract(TensorPort sample, TensorPort timestep, TimestepForm timestepForm,
    Optional<TensorPort> context, TensorPort output, int inChannels, int outChannels) {

  /** The names of the context input. */
  public static final String CONTEXT = "encoder_hidden_states";

  /**
   * Reads the contract.
   *
   * @param what the component and its file, for messages ({@code unet (/m/unet/model.onnx)})
   * @param configInChannels {@code in_channels} from {@code unet/config.json}, used when the port's
   *     channel dimension is dynamic
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public static UNetContract resolve(String what, Map<String, TensorPort> inputs, Map<String, TensorPort> outputs,
      OptionalInt configInChannels) {
    TensorPort sample = find(what, inputs, "sample", List.of("sample", "x", "latent_model_input"));
    require(what, sample.isFloating() && sample.rank() == 4, sample, "float or float16 [B, C, h, w]");
    TensorPort timestep = find(what, inputs, "timestep", List.of("timestep", "timesteps", "t"));
    if (timestep.rank() > 1) {
      throw contract(what, timestep, "rank 0 or 1");
    }
    TimestepForm form = switch (timestep.type()) {
      case FLOAT32, FLOAT16 -> timestep.rank() == 0 ? TimestepForm.FLOAT_SCALAR : TimestepForm.FLOAT_VECTOR;
      case INT64 -> timestep.rank() == 0 ? TimestepForm.INT64_SCALAR : TimestepForm.INT64_VECTOR;
      default -> throw contract(what, timestep, "float [B], float scalar or int64 [B]");
    };
    Optional<TensorPort> context = Optional.ofNullable(inputs.get(CONTEXT));
    context.ifPresent(c -> require(what, c.isFloating() && c.rank() == 3, c, "float or float16 [B, tokens, dim]"));
    List<String> unknown = new ArrayList<>(inputs.keySet());
    unknown.removeAll(List.of(sample.name(), timestep.name(), CONTEXT));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          what + " has inputs ldm4j cannot feed: " + unknown + "; expected only sample, timestep and encoder_hidden_states");
    }
    TensorPort output;
    if (outputs.containsKey("out_sample")) {
      output = outputs.get("out_sample");
    } else if (outputs.size() == 1) {
      output = outputs.values().iterator().next();
    } else {
      throw new IllegalArgumentException(
          what + " has no 'out_sample' output and not exactly one output: " + outputs.values());
    }
    require(what, output.isFloating() && output.rank() == 4, output, "float or float16 [B, C, h, w]");
    long staticIn = sample.staticDim(1);
    int in = staticIn > 0 ? (int) staticIn : configInChannels.orElse(4);
    long staticOut = output.staticDim(1);
    int out = staticOut > 0 ? (int) staticOut : (in == 9 ? 4 : Math.min(in, 4));
    if (out > in) {
      throw contract(what, output, "no more channels than the input's " + in);
    }
    return new UNetContract(sample, timestep, form, context, output, in, out);
  }

  /** The conditioning key the contract implies. */
  public ConditioningKey conditioningKey() {
    return ConditioningKey.of(context.isPresent(), inChannels > outChannels);
  }

  /** The latent size the sample input is fixed at by its declaration, if any. */
  public Optional<FixedSize> fixedSampleSize() {
    return FixedSize.of(sample.name(), sample.shape());
  }

  private static TensorPort find(String what, Map<String, TensorPort> ports, String role, List<String> names) {
    for (String n : names) {
      if (ports.containsKey(n)) {
        return ports.get(n);
      }
    }
    throw new IllegalArgumentException(
        what + " has no '" + role + "' input (looked for " + names + "); it has " + ports.values());
  }

  private static void require(String what, boolean ok, TensorPort p, String expected) {
    if (!ok) {
      throw contract(what, p, expected);
    }
  }

  private static IllegalArgumentException contract(String what, TensorPort p, String expected) {
    return new IllegalArgumentException(what + ": tensor '" + p.name() + "' is " + p + ", expected " + expected);
  }
}
