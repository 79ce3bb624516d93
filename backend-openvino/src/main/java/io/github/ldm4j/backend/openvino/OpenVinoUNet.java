package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.Feed;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.spi.contract.ContractUNet;
import io.github.ldm4j.spi.contract.TimestepForm;
import io.github.ldm4j.spi.contract.UNetContract;
import io.github.ldm4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The UNet on OpenVINO, adapting to the export's contract ({@link UNetContract}: float32/float16
 * sample, float or int64 timestep as a vector or scalar, optional {@code encoder_hidden_states},
 * 4 or 9 channels). With static shapes each new batch × resolution is reshaped and compiled once.
 *
 * <p><b>Ownership:</b> owns its network; {@link #close()} frees it once. Thread-safe (requests are
 * pooled).
 */
public final class OpenVinoUNet implements ContractUNet {

  private final OvNetwork network;
  private final Parameterization parameterization;
  private final UNetContract contract;

  /**
   * Adapts to {@code network}'s contract; takes ownership of it (closing it on rejection).
   *
   * @param configInChannels {@code in_channels} from {@code unet/config.json}, used when the
   *     channel dimension is dynamic
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public OpenVinoUNet(OvNetwork network, Parameterization parameterization, OptionalInt configInChannels) {
    this.network = network;
    this.parameterization = parameterization;
    try {
      this.contract = UNetContract.resolve(
          network.what(), network.inputContract(), network.outputContract(), configInChannels);
    } catch (RuntimeException e) {
      network.close();
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

  /** The network (compile counts, device). */
  public OvNetwork network() {
    return network;
  }

  @Override
  public Tensor forward(Tensor x, Tensor timesteps, Optional<Tensor> ctx) {
    int b = x.dim(0);
    if (x.rank() != 4 || x.dim(1) != contract.inChannels()) {
      throw new IllegalArgumentException("sample must be [B, " + contract.inChannels() + ", h, w], got " + x.shape());
    }
    if (timesteps.rank() != 1 || timesteps.dim(0) != b) {
      throw new IllegalArgumentException("timesteps must be [" + b + "], got " + timesteps.shape());
    }
    if (contract.context().isPresent() != ctx.isPresent()) {
      throw new IllegalArgumentException(contract.context().isPresent()
          ? "this unet needs encoder_hidden_states (cross-attention context)"
          : "this unet takes no cross-attention context");
    }
    Map<String, Feed> feeds = new LinkedHashMap<>();
    feeds.put(contract.sample().name(), new Feed.Floats(x));
    TimestepForm form = contract.timestepForm();
    float[] ts = timesteps.toArray();
    feeds.put(contract.timestep().name(), form.isInteger()
        ? new Feed.Longs(form.longs(ts, network.what()), form.shape(b))
        : new Feed.FloatValues(form.floats(ts, network.what()), form.shape(b)));
    ctx.ifPresent(c -> feeds.put(contract.context().get().name(), new Feed.Floats(c)));
    return network.infer(feeds, List.of(contract.output().name())).getFirst();
  }

  @Override
  public void close() {
    network.close();
  }

  @Override
  public String toString() {
    return "OpenVinoUNet[" + network.what() + " on " + network.device() + ", key=" + conditioningKey() + ", "
        + parameterization + "]";
  }
}
