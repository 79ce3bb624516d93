package io.github.ldm4j.spi.contract;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tensor contract of a CLIP text-encoder export: {@code input_ids} int32 (legacy) or int64
 * (optimum) [B, L] → {@code last_hidden_state} float [B, L, d], optional {@code pooler_output} and,
 * when the export has them, per-layer {@code hidden_states.N} outputs (for CLIP skip), sorted by N.
 *
 * @param ids the token-id input
 * @param lastHiddenState the final hidden states
 * @param pooled the pooled output, if any
 * @param hiddenStates per-layer hidden states in layer order (empty when not exported)
 * @param maxLength the sequence length (the static L, else 77)
 * @param hiddenSize the static d, or −1 when dynamic
 */
public record TextEncoderContract(TensorPort ids, TensorPort lastHiddenState, Optional<TensorPort> pooled,
    List<TensorPort> hiddenStates, int maxLength, int hiddenSize) {

  private static final Pattern HIDDEN = Pattern.compile("hidden_states[._](\\d+)");

  /** Copies. */
  public TextEncoderContract {
    hiddenStates = List.copyOf(hiddenStates);
  }

  /**
   * Reads the contract.
   *
   * @param what the component and its file, for messages
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public static TextEncoderContract resolve(String what, Map<String, TensorPort> inputs, Map<String, TensorPort> outputs) {
    TensorPort ids = inputs.get("input_ids");
    if (ids == null) {
      throw new IllegalArgumentException(what + " has no 'input_ids' input; it has " + inputs.values());
    }
    if ((ids.type() != PortType.INT32 && ids.type() != PortType.INT64) || ids.rank() != 2) {
      throw new IllegalArgumentException(what + ": tensor 'input_ids' is " + ids + ", expected int32 or int64 [B, L]");
    }
    if (inputs.size() != 1) {
      throw new IllegalArgumentException(what + " has inputs ldm4j cannot feed besides input_ids: " + inputs.values());
    }
    TensorPort last = outputs.get("last_hidden_state");
    if (last == null || !last.isFloating() || last.rank() != 3) {
      throw new IllegalArgumentException(
          what + " needs a float 'last_hidden_state' [B, L, d] output; it has " + outputs.values());
    }
    List<TensorPort> hidden = new ArrayList<>();
    for (TensorPort o : outputs.values()) {
      if (HIDDEN.matcher(o.name()).matches()) {
        hidden.add(o);
      }
    }
    hidden.sort(Comparator.comparingInt(TextEncoderContract::layerIndex));
    for (TensorPort h : hidden) {
      if (!h.isFloating() || h.rank() != 3) {
        throw new IllegalArgumentException(what + ": tensor '" + h.name() + "' is " + h + ", expected float or float16 [B, L, d]");
      }
    }
    int maxLength = ids.staticDim(1) > 0 ? (int) ids.staticDim(1) : 77;
    int hiddenSize = last.staticDim(2) > 0 ? (int) last.staticDim(2) : -1;
    return new TextEncoderContract(ids, last, Optional.ofNullable(outputs.get("pooler_output")), hidden, maxLength, hiddenSize);
  }

  private static int layerIndex(TensorPort p) {
    Matcher m = HIDDEN.matcher(p.name());
    return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
  }

  /** Every output to compute, in order: last hidden state, pooled, hidden states. */
  public List<TensorPort> wantedOutputs() {
    List<TensorPort> out = new ArrayList<>();
    out.add(lastHiddenState);
    pooled.ifPresent(out::add);
    out.addAll(hiddenStates);
    return out;
  }

  /**
   * The per-layer output CLIP skip {@code clipSkip} ≥ 2 reads: {@code hidden_states.<L+1−n>}, the
   * output of the n-th layer from the end (L = the highest N exported, the last layer's output;
   * {@code hidden_states.0} is the embeddings).
   *
   * @param what the component and its file, for messages
   * @throws IllegalArgumentException when {@code clipSkip < 2} or exceeds the layers
   * @throws UnsupportedOperationException when the export lacks that {@code hidden_states.N} output
   *     (the message names it, lists the outputs it has and says how to re-export)
   */
  public TensorPort hiddenStateForClipSkip(int clipSkip, String what) {
    if (clipSkip < 2) {
      throw new IllegalArgumentException("clip skip " + clipSkip + " reads no per-layer output (use last_hidden_state)");
    }
    if (hiddenStates.isEmpty()) {
      List<String> have = new ArrayList<>();
      have.add(lastHiddenState.name());
      pooled.ifPresent(p -> have.add(p.name()));
      throw new UnsupportedOperationException(
          "clip skip " + clipSkip + " needs the text encoder's per-layer outputs 'hidden_states.0' … 'hidden_states.N', but "
              + what + " has only the outputs " + have
              + "; re-export the text encoder with output_hidden_states=True, or use clip skip 1");
    }
    int layers = layerIndex(hiddenStates.getLast());
    if (clipSkip > layers) {
      throw new IllegalArgumentException("clip skip " + clipSkip + " exceeds the " + layers + " layers of " + what);
    }
    int wanted = layers + 1 - clipSkip;
    for (TensorPort h : hiddenStates) {
      if (layerIndex(h) == wanted) {
        return h;
      }
    }
    throw new UnsupportedOperationException("clip skip " + clipSkip + " needs the output 'hidden_states." + wanted
        + "', which " + what + " does not have (it has " + hiddenStates.stream().map(TensorPort::name).toList() + ")");
  }

  /**
   * Checks a batch of token-id rows against {@link #maxLength()}.
   *
   * @throws IllegalArgumentException for an empty batch or a row of another length
   */
  public void checkIds(int[][] inputIds) {
    if (inputIds.length == 0) {
      throw new IllegalArgumentException("input_ids must have at least one row");
    }
    for (int i = 0; i < inputIds.length; i++) {
      if (inputIds[i] == null || inputIds[i].length != maxLength) {
        throw new IllegalArgumentException(
            "input_ids row " + i + " has " + (inputIds[i] == null ? "no" : inputIds[i].length)
                + " tokens; the text encoder takes exactly " + maxLength);
      }
    }
  }
}
