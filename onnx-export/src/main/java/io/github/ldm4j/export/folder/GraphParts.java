package io.github.ldm4j.export.folder;

import io.github.ldm4j.export.onnx.Attribute;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.Ops;
import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.onnx.Value;
import java.util.List;

/**
 * Subgraphs that graphs written to the export contract need whatever their network: the UNet's
 * per-sample timestep from any flavor's {@code timestep} input, and CLIP's {@code pooler_output}.
 */
public final class GraphParts {

  private GraphParts() {
  }

  /**
   * One timestep per sample: the {@code timestep} input (rank 0, [1] or [N]; float or int64) cast to
   * {@code to}, flattened and broadcast to [N], N being the batch size of {@code sample}.
   */
  public static Value timestepPerSample(Ops o, Value timestep, ElementType timestepType, ElementType to,
      Value sample) {
    Value t = timestepType == to ? timestep : o.cast(timestep, to);
    Value flat = o.reshape(t, -1);
    Value batch = o.slice(o.shape(sample), new long[] {0}, new long[] {1}, new long[] {0});
    return o.expand(flat, batch);
  }

  /**
   * CLIP's {@code pooler_output}: the row of {@code hidden} [N, L, D] at the first {@code eosId} in
   * {@code ids} [N, L] (row 0 when there is none), as [N, D].
   */
  public static Value rowAtFirstToken(Ops o, Value hidden, Value ids, ElementType idType, long eosId) {
    var g = o.graph();
    Value len = o.slice(o.shape(ids), new long[] {1}, new long[] {2}, new long[] {0});
    Value eos = g.constant(idType, new long[0], TensorValues.ofLongs(eosId));
    Value isEos = o.cast(o.equal(ids, eos), ElementType.INT32);
    Value first = g.op("ArgMax", List.of(isEos), Attribute.of("axis", 1L), Attribute.of("keepdims", 0L));
    Value oneHot = g.op("OneHot", List.of(first, len, o.floats(new long[] {2}, 0f, 1f)), Attribute.of("axis", -1L));
    return o.reduceSum(o.mul(hidden, o.unsqueeze(oneHot, 2)), false, 1);
  }
}
