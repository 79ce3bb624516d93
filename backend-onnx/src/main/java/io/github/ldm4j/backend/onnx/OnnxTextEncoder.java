package io.github.ldm4j.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.backend.onnx.internal.OrtTensors;
import io.github.ldm4j.backend.onnx.internal.Port;
import io.github.ldm4j.model.TextEncoder;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.spi.contract.TextEncoderContract;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CLIP text transformer of an ONNX export: {@code input_ids} int32 (legacy) or int64 (optimum)
 * {@code [B, L]} → {@code last_hidden_state} {@code [B, L, d]}, optional {@code pooler_output} and,
 * when the export has them, per-layer {@code hidden_states.N} outputs (for CLIP skip).
 *
 * <p><b>Ownership:</b> owns its session; {@link #close()} releases it once. Thread-safe.
 */
public final class OnnxTextEncoder implements TextEncoder {

  private final OnnxSession session;
  private final TextEncoderContract contract;
  private final Port ids;

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
    int[][] probe = new int[1][contract.maxLength()];
    return encode(probe).lastHiddenState().dim(2);
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
    Set<String> wanted = new LinkedHashSet<>();
    contract.wantedOutputs().forEach(p -> wanted.add(p.name()));
    try (OnnxTensor in = OrtTensors.ints(inputIds, ids.type());
        OrtSession.Result r = session.run(Map.of(ids.name(), in), wanted, Map.of())) {
      String lastName = contract.lastHiddenState().name();
      Tensor lastState = OrtTensors.toTensor(tensor(r, lastName), lastName);
      Optional<Tensor> pool = contract.pooled().map(p -> OrtTensors.toTensor(tensor(r, p.name()), p.name()));
      List<Tensor> hs = new ArrayList<>(contract.hiddenStates().size());
      for (TensorPort h : contract.hiddenStates()) {
        hs.add(OrtTensors.toTensor(tensor(r, h.name()), h.name()));
      }
      return new TextEncoding(lastState, pool, hs);
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
