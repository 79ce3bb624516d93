package io.github.ldm4j.spi.contract;

import io.github.ldm4j.model.FixedSize;
import java.util.Map;
import java.util.Optional;

/**
 * The tensor contract of one half of a VAE export: the decoder {@code latent_sample} [B, C, h, w] →
 * {@code sample} [B, 3, 8h, 8w]; the encoder {@code sample} [B, 3, H, W] → {@code latent_sample}
 * (already sampled, legacy) or {@code latent_parameters} (mean ‖ log-variance, optimum). Float32 or
 * float16.
 *
 * @param input the input port
 * @param output the output port
 * @param latentChannels the latent channels (decoder: its input's; encoder: its output's, halved for moments)
 * @param moments whether the encoder outputs mean ‖ log-variance rather than a sample
 */
public record VaeContract(TensorPort input, TensorPort output, int latentChannels, boolean moments) {

  /**
   * Reads a decoder's contract.
   *
   * @param what the component and its file, for messages
   * @throws IllegalArgumentException naming the tensor and what was expected
   */
  public static VaeContract decoder(String what, Map<String, TensorPort> inputs, Map<String, TensorPort> outputs) {
    TensorPort in = port(what, inputs, "latent_sample");
    TensorPort out = port(what, outputs, "sample");
    return new VaeContract(in, out, in.staticDim(1) > 0 ? (int) in.staticDim(1) : 4, false);
  }

  /**
   * Reads an encoder's contract.
   *
   * @param what the component and its file, for messages
   * @throws IllegalArgumentException naming the tensor and what was expected
   */
  public static VaeContract encoder(String what, Map<String, TensorPort> inputs, Map<String, TensorPort> outputs) {
    TensorPort in = port(what, inputs, "sample");
    TensorPort out = outputs.containsKey("latent_parameters") ? outputs.get("latent_parameters")
        : outputs.get("latent_sample");
    if (out == null || !out.isFloating() || out.rank() != 4) {
      throw new IllegalArgumentException(
          what + " needs a float 'latent_sample' or 'latent_parameters' [B, C, h, w] output; it has " + outputs.values());
    }
    boolean moments = out.name().equals("latent_parameters");
    long c = out.staticDim(1);
    return new VaeContract(in, out, c > 0 ? (int) (moments ? c / 2 : c) : 4, moments);
  }

  /** The size the input is fixed at by its declaration, if any. */
  public Optional<FixedSize> fixedInputSize() {
    return FixedSize.of(input.name(), input.shape());
  }

  private static TensorPort port(String what, Map<String, TensorPort> ports, String name) {
    TensorPort p = ports.get(name);
    if (p == null) {
      throw new IllegalArgumentException(what + " has no '" + name + "' tensor; it has " + ports.values());
    }
    if (!p.isFloating() || p.rank() != 4) {
      throw new IllegalArgumentException(what + ": tensor '" + name + "' is " + p + ", expected float or float16 of rank 4");
    }
    return p;
  }
}
