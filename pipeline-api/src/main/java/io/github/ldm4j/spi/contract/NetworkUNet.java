package io.github.ldm4j.spi.contract;

import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.FixedSize;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.UNet;
import io.github.ldm4j.spi.Feed;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The UNet of any backend's {@link Network}, adapted to its {@link UNetContract}: {@code sample}
 * float32 or float16; {@code timestep} as float [B] (legacy), float scalar (optimum) or int64 [B]
 * (older and OpenVINO-style exports; fractional timesteps are rounded to the nearest integer for
 * those); optional {@code encoder_hidden_states}; output {@code out_sample}. The conditioning key,
 * channel counts and any fixed sample size come from the contract: cross-attention when the
 * network takes {@code encoder_hidden_states}, plus concatenation when it takes more input than
 * output channels (the 9-channel inpainting UNet is {@code hybrid}).
 *
 * <p><b>Ownership:</b> owns its network; {@link #close()} closes it (idempotently). Thread-safe.
 */
public final class NetworkUNet implements UNet {

  private final Network network;
  private final Parameterization parameterization;
  private final UNetContract contract;

  /**
   * Adapts to the network's contract. Takes ownership of {@code network} (closing it if the contract
   * is rejected).
   *
   * @param parameterization what the network predicts (from the model's scheduler config)
   * @param configInChannels {@code in_channels} from {@code unet/config.json}, used when the
   *     network's channel dimension is dynamic
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public NetworkUNet(Network network, Parameterization parameterization, OptionalInt configInChannels) {
    this.network = Objects.requireNonNull(network, "network");
    try {
      this.parameterization = Objects.requireNonNull(parameterization, "parameterization");
      this.contract = UNetContract.resolve(network.what(), network.inputs(), network.outputs(), configInChannels);
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
  }

  /** The contract read from the network's declared inputs and outputs. */
  public UNetContract contract() {
    return contract;
  }

  /** The network (for diagnostics: its backend, file and ports). */
  public Network network() {
    return network;
  }

  @Override
  public Parameterization parameterization() {
    return parameterization;
  }

  @Override
  public ConditioningKey conditioningKey() {
    return contract.conditioningKey();
  }

  @Override
  public int inChannels() {
    return contract.inChannels();
  }

  @Override
  public int outChannels() {
    return contract.outChannels();
  }

  /** From the declared {@code sample} input ({@link UNetContract#fixedSampleSize()}). */
  @Override
  public Optional<FixedSize> fixedSampleSize() {
    return contract.fixedSampleSize();
  }

  @Override
  public Tensor forward(Tensor x, Tensor timesteps, Optional<Tensor> ctx) {
    if (x.rank() != 4 || x.dim(1) != contract.inChannels()) {
      throw new IllegalArgumentException("sample must be [B, " + contract.inChannels() + ", h, w], got " + x.shape());
    }
    int b = x.dim(0);
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
    try {
      return network.run(feeds, List.of(contract.output().name())).getFirst();
    } catch (IllegalStateException e) {
      throw explainLatentSize(e, x);
    }
  }

  /**
   * A failed run on a latent whose sides are not multiples of 8: SD UNets halve the latent at each of
   * their levels and concatenate skip connections on the way up, which fails (with an obscure
   * Concat error from the runtime) when a side cannot be halved exactly.
   */
  private static RuntimeException explainLatentSize(IllegalStateException e, Tensor x) {
    int h = x.dim(2);
    int w = x.dim(3);
    if (h % 8 == 0 && w % 8 == 0) {
      return e;
    }
    return new IllegalStateException(
        "the unet cannot run on a latent of " + w + "x" + h + " (image " + 8 * w + "x" + 8 * h + "): SD UNets halve the"
            + " latent at each level, so image sides usually must be multiples of 64; " + e.getMessage(), e);
  }

  @Override
  public void close() {
    network.close();
  }

  @Override
  public String toString() {
    return "NetworkUNet[" + network + ", key=" + conditioningKey() + ", " + parameterization + "]";
  }
}
