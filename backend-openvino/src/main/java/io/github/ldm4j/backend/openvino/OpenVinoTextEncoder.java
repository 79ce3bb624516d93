package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.Feed;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.model.TextEncoder;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.spi.contract.TextEncoderContract;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CLIP text transformer on OpenVINO ({@link TextEncoderContract}: int32/int64 {@code input_ids}
 * → {@code last_hidden_state}, optional {@code pooler_output} and {@code hidden_states.N}).
 *
 * <p><b>Ownership:</b> owns its network; {@link #close()} frees it once. Thread-safe.
 */
public final class OpenVinoTextEncoder implements TextEncoder {

  private final OvNetwork network;
  private final TextEncoderContract contract;

  /**
   * Adapts to {@code network}'s contract; takes ownership of it (closing it on rejection).
   *
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public OpenVinoTextEncoder(OvNetwork network) {
    this.network = network;
    try {
      this.contract = TextEncoderContract.resolve(network.what(), network.inputContract(), network.outputContract());
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
  }

  @Override
  public int hiddenSize() {
    if (contract.hiddenSize() > 0) {
      return contract.hiddenSize();
    }
    return encode(new int[1][contract.maxLength()]).lastHiddenState().dim(2);
  }

  @Override
  public int maxLength() {
    return contract.maxLength();
  }

  /** Whether the export exposes per-layer hidden states (needed for CLIP skip). */
  public boolean exposesHiddenStates() {
    return !contract.hiddenStates().isEmpty();
  }

  @Override
  public TextEncoding encode(int[][] inputIds) {
    contract.checkIds(inputIds);
    List<TensorPort> wanted = contract.wantedOutputs();
    List<Tensor> out = network.infer(Map.of(contract.ids().name(), new Feed.Ints(inputIds)),
        wanted.stream().map(TensorPort::name).toList());
    int pooled = contract.pooled().isPresent() ? 1 : 0;
    return new TextEncoding(out.getFirst(), pooled == 1 ? Optional.of(out.get(1)) : Optional.empty(),
        out.subList(1 + pooled, out.size()));
  }

  /** The network (compile counts, device). */
  public OvNetwork network() {
    return network;
  }

  @Override
  public void close() {
    network.close();
  }
}
