package io.github.ldm4j.backend.onnx;

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
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.spi.contract.TextEncoderContract;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

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

  private final OnnxSession session;
  private final TextEncoderContract contract;
  private final Port ids;
  private volatile FinalLayerNormLookup finalNorm;
  private volatile int probedHiddenSize;

  /**
   * Adapts to the session's contract ({@link TextEncoderContract}); takes ownership of {@code
   * session} (closing it on rejection).
   *
   * @throws IllegalArgumentException naming the tensor and what was expected when the contract is unknown
   */
  public OnnxTextEncoder(OnnxSession session) {
    this.session = session;
    try {
      this.contract = TextEncoderContract.resolve(session.what(), session.inputContract(), session.outputContract());
      this.ids = session.inputs().get(contract.ids().name());
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  @Override
  public int hiddenSize() {
    if (contract.hiddenSize() > 0) {
      return contract.hiddenSize();
    }
    int probed = probedHiddenSize;
    if (probed <= 0) {
      // The width is dynamic in the metadata: run the encoder once on padding and remember it.
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
    Set<String> wanted = new LinkedHashSet<>();
    contract.wantedOutputs().forEach(p -> wanted.add(p.name()));
    return run(inputIds, wanted, r -> {
      Tensor lastState = read(r, contract.lastHiddenState());
      Optional<Tensor> pool = contract.pooled().map(p -> read(r, p));
      List<Tensor> hs = new ArrayList<>(contract.hiddenStates().size());
      for (TensorPort h : contract.hiddenStates()) {
        hs.add(read(r, h));
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
      TensorPort last = contract.lastHiddenState();
      return run(inputIds, Set.of(last.name()), r -> read(r, last));
    }
    TensorPort h = contract.hiddenStateForClipSkip(clipSkip, session.what());
    LayerNorm norm = finalLayerNorm().orElseThrow(() -> new UnsupportedOperationException(
        "clip skip " + clipSkip + " needs the text encoder's final layer norm, but " + finalNormLookup().explanation()));
    return norm.apply(run(inputIds, Set.of(h.name()), r -> read(r, h)));
  }

  /**
   * The final layer norm's parameters, read from the ONNX file on first call (then cached): the
   * {@code text_model.final_layer_norm.*} initializers or the layer norm that produces {@code
   * last_hidden_state}. Empty when the file has neither.
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
          try {
            f = FinalLayerNormLookup.find(session.file(), contract.lastHiddenState().name());
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read the final layer norm of " + session.what(), e);
          }
          finalNorm = f;
        }
      }
    }
    return f;
  }

  private <T> T run(int[][] inputIds, Set<String> wanted, Function<OrtSession.Result, T> reader) {
    contract.checkIds(inputIds);
    try (OnnxTensor in = OrtTensors.ints(inputIds, ids.type());
        OrtSession.Result r = session.run(Map.of(ids.name(), in), wanted, Map.of())) {
      return reader.apply(r);
    }
  }

  private static Tensor read(OrtSession.Result r, TensorPort port) {
    OnnxValue v = r.get(port.name()).orElseThrow(() -> new IllegalStateException("text_encoder returned no " + port.name()));
    if (!(v instanceof OnnxTensor t)) {
      throw new IllegalStateException("text_encoder output " + port.name() + " is not a tensor");
    }
    return OrtTensors.toTensor(t, port.name());
  }

  @Override
  public void close() {
    session.close();
  }
}
