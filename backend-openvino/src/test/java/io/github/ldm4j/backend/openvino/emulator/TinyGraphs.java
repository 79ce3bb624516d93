package io.github.ldm4j.backend.openvino.emulator;

import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import io.github.ldm4j.export.onnx.Ops;
import io.github.ldm4j.export.onnx.TensorType;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.onnx.WriteProgress;
import java.nio.file.Path;

/** Small ONNX graphs with known answers for the binding tests. */
public final class TinyGraphs {

  private TinyGraphs() {}

  /**
   * {@code x} f32 [b, 3], {@code t} i64 [b] → {@code y} = 2x + 1 [b, 3], {@code z} = float(t) + Σⱼ x[:, j] [b].
   */
  public static OnnxGraph affine() {
    GraphBuilder g = new GraphBuilder("affine");
    Ops o = new Ops(g, ElementType.FLOAT);
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(3)));
    Value t = g.input("t", TensorType.of(ElementType.INT64, Dim.symbolic("batch")));
    Value y = o.add(o.scale(x, 2f), o.scalar(1f));
    Value z = o.add(o.cast(t, ElementType.FLOAT), o.reduceSum(x, false, 1));
    g.output(y, "y", TensorType.of(ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(3)));
    g.output(z, "z", TensorType.of(ElementType.FLOAT, Dim.symbolic("batch")));
    return g.build();
  }

  /** Writes {@link #affine()} to {@code file}. */
  public static Path writeAffine(Path file) {
    OnnxModelWriter.write(affine(), file, WeightStorage.INLINE, WriteProgress.NONE);
    return file;
  }
}
