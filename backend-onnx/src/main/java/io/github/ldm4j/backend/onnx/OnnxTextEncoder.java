package io.github.ldm4j.backend.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.onnx.internal.FinalLayerNormLookup;
import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.backend.onnx.internal.OrtTensors;
import io.github.ldm4j.backend.onnx.internal.Port;
import io.github.ldm4j.model.LayerNorm;
import io.github.ldm4j.model.TextEncoder;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP text transformer of an ONNX export: {@code input_ids} int32 (legacy) or int64 (optimum)
 * {@code [B, L]} → {@code last_hidden_state} {@code [B, L, d]}, optional {@code pooler_output} and,
 * when the export has them, per-layer {@code hidden_states.N} outputs (for CLIP skip).
 *
 * <p>CLIP skip n ≥ 2 ({@link #encodeContext}) runs the session for {@code hidden_states.<L+1−n>}
 * only and applies the final layer norm, whose parameters are read from the ONNX file on first use
 * ({@link FinalLayerNormLookup}); CLIP skip 1 fetches {@code last_hidden_state} only.
 *
 * <p><b>Ownership:</b> owns its session; {@link #close()} releases it once. Thread-safe.
 */
public final class OnnxTextEncoder implements TextEncoder {

  private static final Pattern HIDDEN = Pattern.compile("hidden_states[._](\\d+)");

  private final OnnxSession session;
  private final Port ids;
  private final Port last;
  private final Optional<Port> pooled;
  private final List<Port> hidden;
  private final int maxLength;
  private final int hiddenSize;
  private volatile FinalLayerNormLookup finalNorm;
  private volatile int probedHiddenSize;

  /**
   * Adapts to the session's contract; takes ownership of {@code session} (closing it on rejection).
   *
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public OnnxTextEncoder(OnnxSession session) {
    this.session = session;
    try {
      Map<String, Port> in = session.inputs();
      Port p = in.get("input_ids");
      if (p == null) {
        throw new IllegalArgumentException(
            "text_encoder (" + session.file() + ") has no 'input_ids' input; it has " + in.values());
      }
      if ((p.type() != OnnxJavaType.INT32 && p.type() != OnnxJavaType.INT64) || p.rank() != 2) {
        throw new IllegalArgumentException(
            "text_encoder (" + session.file() + "): tensor 'input_ids' is " + p + ", expected int32 or int64 [B, L]");
      }
      if (in.size() != 1) {
        throw new IllegalArgumentException(
            "text_encoder (" + session.file() + ") has inputs ldm4j cannot feed besides input_ids: " + in.values());
      }
      this.ids = p;
      Map<String, Port> outs = session.outputs();
      Port l = outs.get("last_hidden_state");
      if (l == null || !l.isFloating() || l.rank() != 3) {
        throw new IllegalArgumentException(
            "text_encoder (" + session.file() + ") needs a float 'last_hidden_state' [B, L, d] output; it has " + outs.values());
      }
      this.last = l;
      this.pooled = Optional.ofNullable(outs.get("pooler_output"));
      List<Port> hs = new ArrayList<>();
      for (Port o : outs.values()) {
        if (HIDDEN.matcher(o.name()).matches()) {
          hs.add(o);
        }
      }
      hs.sort(Comparator.comparingInt(OnnxTextEncoder::layerIndex));
      for (int i = 0; i < hs.size(); i++) {
        if (layerIndex(hs.get(i)) != i) {
          throw new IllegalArgumentException("text_encoder (" + session.file() + ") has per-layer outputs "
              + hs.stream().map(Port::name).toList() + "; expected hidden_states.0 … hidden_states.N without gaps");
        }
        if (!hs.get(i).isFloating() || hs.get(i).rank() != 3) {
          throw new IllegalArgumentException("text_encoder (" + session.file() + "): tensor '" + hs.get(i).name()
              + "' is " + hs.get(i) + ", expected float or float16 [B, L, d]");
        }
      }
      this.hidden = List.copyOf(hs);
      this.maxLength = ids.staticDim(1) > 0 ? (int) ids.staticDim(1) : 77;
      this.hiddenSize = last.staticDim(2) > 0 ? (int) last.staticDim(2) : -1;
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private static int layerIndex(Port p) {
    Matcher m = HIDDEN.matcher(p.name());
    return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
  }

  @Override
  public int hiddenSize() {
    if (hiddenSize > 0) {
      return hiddenSize;
    }
    int probed = probedHiddenSize;
    if (probed <= 0) {
      // The width is dynamic in the metadata: run the encoder once on padding and remember it.
      probed = encodeContext(new int[1][maxLength], 1).dim(2);
      probedHiddenSize = probed;
    }
    return probed;
  }

  @Override
  public int maxLength() {
    return maxLength;
  }

  /** Whether the export exposes per-layer hidden states (needed for CLIP skip). */
  public boolean exposesHiddenStates() {
    return !hidden.isEmpty();
  }

  @Override
  public TextEncoding encode(int[][] inputIds) {
    Set<String> wanted = new LinkedHashSet<>();
    wanted.add(last.name());
    pooled.ifPresent(p -> wanted.add(p.name()));
    hidden.forEach(h -> wanted.add(h.name()));
    return run(inputIds, wanted, r -> {
      Tensor lastState = OrtTensors.toTensor(tensor(r, last.name()), last.name());
      Optional<Tensor> pool = pooled.map(p -> OrtTensors.toTensor(tensor(r, p.name()), p.name()));
      List<Tensor> hs = new ArrayList<>(hidden.size());
      for (Port h : hidden) {
        hs.add(OrtTensors.toTensor(tensor(r, h.name()), h.name()));
      }
      return new TextEncoding(lastState, pool, hs);
    });
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
      return run(inputIds, Set.of(last.name()), r -> OrtTensors.toTensor(tensor(r, last.name()), last.name()));
    }
    if (hidden.isEmpty()) {
      throw new UnsupportedOperationException(
          "clip skip " + clipSkip + " needs the text encoder's per-layer outputs 'hidden_states.0' … 'hidden_states.N', but "
              + session.file() + " has only the outputs " + session.outputs().keySet()
              + "; re-export the text encoder with output_hidden_states=True, or use clip skip 1");
    }
    int layers = hidden.size() - 1;
    if (clipSkip > layers) {
      throw new IllegalArgumentException(
          "clip skip " + clipSkip + " exceeds the " + layers + " layers of the text encoder (" + session.file() + ")");
    }
    LayerNorm norm = finalLayerNorm().orElseThrow(() -> new UnsupportedOperationException(
        "clip skip " + clipSkip + " needs the text encoder's final layer norm, but " + finalNormLookup().explanation()));
    Port h = hidden.get(hidden.size() - clipSkip);
    return norm.apply(run(inputIds, Set.of(h.name()), r -> OrtTensors.toTensor(tensor(r, h.name()), h.name())));
  }

  /**
   * The final layer norm's parameters, read from the ONNX file on first call (then cached): the
   * {@code text_model.final_layer_norm.*} initializers or the {@code LayerNormalization} node that
   * produces {@code last_hidden_state}. Empty when the file has neither.
   *
   * @throws java.io.UncheckedIOException when the file cannot be read
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
          try {
            f = FinalLayerNormLookup.find(session.file(), last.name());
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read the final layer norm of text_encoder from " + session.file(), e);
          }
          finalNorm = f;
        }
      }
    }
    return f;
  }

  private <T> T run(int[][] inputIds, Set<String> wanted, Function<OrtSession.Result, T> read) {
    checkIds(inputIds);
    try (OnnxTensor in = OrtTensors.ints(inputIds, ids.type());
        OrtSession.Result r = session.run(Map.of(ids.name(), in), wanted, Map.of())) {
      return read.apply(r);
    }
  }

  private void checkIds(int[][] inputIds) {
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

  private OnnxTensor tensor(OrtSession.Result r, String name) {
    OnnxValue v = r.get(name).orElseThrow(() -> new IllegalStateException("text_encoder returned no " + name));
    if (!(v instanceof OnnxTensor t)) {
      throw new IllegalStateException("text_encoder output " + name + " is not a tensor");
    }
    return t;
  }

  @Override
  public void close() {
    session.close();
  }
}
