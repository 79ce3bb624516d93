package io.github.ldm4j.spi.contract;

import io.github.ldm4j.folder.onnx.FinalLayerNormLookup;
import io.github.ldm4j.model.LayerNorm;
import io.github.ldm4j.model.TextEncoder;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.spi.Feed;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The CLIP text transformer of any backend's {@link Network}, adapted to its {@link
 * TextEncoderContract}: {@code input_ids} int32 (legacy) or int64 (optimum) {@code [B, L]} → {@code
 * last_hidden_state} {@code [B, L, d]}, optional {@code pooler_output} and, when the export has
 * them, per-layer {@code hidden_states.N} outputs (for CLIP skip).
 *
 * <p>CLIP skip n ≥ 2 ({@link #encodeContext}) runs the network for {@code hidden_states.<L+1−n>}
 * only and applies the final layer norm, whose parameters are read from the network's ONNX file on
 * first use ({@link FinalLayerNormLookup}) — whichever backend runs it. An OpenVINO IR file has no
 * readable final layer norm, so CLIP skip ≥ 2 fails there with that reason; CLIP skip 1 fetches
 * {@code last_hidden_state} only.
 *
 * <p><b>Ownership:</b> owns its network; {@link #close()} closes it (idempotently). Thread-safe.
 */
public final class NetworkTextEncoder implements TextEncoder {

  private final Network network;
  private final TextEncoderContract contract;
  private volatile FinalLayerNormLookup finalNorm;
  private volatile int probedHiddenSize;

  /**
   * Adapts to the network's contract; takes ownership of {@code network} (closing it on rejection).
   *
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public NetworkTextEncoder(Network network) {
    this.network = Objects.requireNonNull(network, "network");
    try {
      this.contract = TextEncoderContract.resolve(network.what(), network.inputs(), network.outputs());
    } catch (RuntimeException e) {
      network.close();
      throw e;
    }
  }

  /** The network (for diagnostics). */
  public Network network() {
    return network;
  }

  @Override
  public int hiddenSize() {
    if (contract.hiddenSize() > 0) {
      return contract.hiddenSize();
    }
    int probed = probedHiddenSize;
    if (probed <= 0) {
      // The width is dynamic in the declaration: run the encoder once on padding and remember it.
      probed = encodeContext(new int[1][contract.maxLength()], 1).dim(2);
      probedHiddenSize = probed;
    }
    return probed;
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
    List<TensorPort> wanted = contract.wantedOutputs();
    List<Tensor> out = run(inputIds, wanted);
    int pooled = contract.pooled().isPresent() ? 1 : 0;
    return new TextEncoding(out.getFirst(), pooled == 1 ? Optional.of(out.get(1)) : Optional.empty(),
        out.subList(1 + pooled, out.size()));
  }

  /**
   * The context for CLIP skip {@code clipSkip}: {@code last_hidden_state} for 1; for n ≥ 2 {@code
   * hidden_states.<L+1−n>} (L = the number of layers) through the final layer norm, computing only
   * that output.
   *
   * @throws UnsupportedOperationException when n ≥ 2 and the export has no {@code hidden_states.N}
   *     outputs or no readable final layer norm (the message says which and what to do)
   */
  @Override
  public Tensor encodeContext(int[][] inputIds, int clipSkip) {
    if (clipSkip < 1) {
      throw new IllegalArgumentException("clip skip must be >= 1 (1 = last layer), got " + clipSkip);
    }
    if (clipSkip == 1) {
      return run(inputIds, List.of(contract.lastHiddenState())).getFirst();
    }
    TensorPort h = contract.hiddenStateForClipSkip(clipSkip, network.what());
    LayerNorm norm = finalLayerNorm().orElseThrow(() -> new UnsupportedOperationException(
        "clip skip " + clipSkip + " needs the text encoder's final layer norm, but " + finalNormLookup().explanation()));
    return norm.apply(run(inputIds, List.of(h)).getFirst());
  }

  /**
   * The final layer norm's parameters, read from the network's ONNX file on first call (then
   * cached): the {@code text_model.final_layer_norm.*} initializers or the layer norm that produces
   * {@code last_hidden_state}. Empty when the file has neither, or is not an ONNX file.
   *
   * @throws UncheckedIOException when the file cannot be read
   */
  @Override
  public Optional<LayerNorm> finalLayerNorm() {
    return finalNormLookup().norm();
  }

  private FinalLayerNormLookup finalNormLookup() {
    FinalLayerNormLookup f = finalNorm;
    if (f == null) {
      synchronized (this) {
        f = finalNorm;
        if (f == null) {
          f = lookUp();
          finalNorm = f;
        }
      }
    }
    return f;
  }

  private FinalLayerNormLookup lookUp() {
    if (!network.file().getFileName().toString().endsWith(".onnx")) {
      return new FinalLayerNormLookup(Optional.empty(), network.what() + " is not an ONNX file, and ldm4j reads the final"
          + " layer norm's parameters from ONNX files only; use the model's ONNX text encoder for CLIP skip");
    }
    try {
      return FinalLayerNormLookup.find(network.file(), contract.lastHiddenState().name());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the final layer norm of " + network.what(), e);
    }
  }

  private List<Tensor> run(int[][] inputIds, List<TensorPort> wanted) {
    contract.checkIds(inputIds);
    return network.run(Map.of(contract.ids().name(), new Feed.Ints(inputIds)), wanted.stream().map(TensorPort::name).toList());
  }

  @Override
  public void close() {
    network.close();
  }
}
