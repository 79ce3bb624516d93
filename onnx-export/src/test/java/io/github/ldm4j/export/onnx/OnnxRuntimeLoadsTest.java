package io.github.ldm4j.export.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime loads and runs the writer's models: inline, with external data, and graph-only with the
 * weights handed over.
 */
class OnnxRuntimeLoadsTest {

  static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  @TempDir
  Path tmp;

  /** y = x·w + b for x = [[1, 2, 3]], w[i][j] = 2i + j (row-major 0..5), b = 0.5: [[16.5, 22.5]]. */
  static final float[] EXPECTED = {16.5f, 22.5f};

  static OnnxGraph affine() {
    GraphBuilder g = new GraphBuilder("affine");
    Ops o = new Ops(g, ElementType.FLOAT);
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(3)));
    Value w = g.parameter("w", ElementType.FLOAT, new long[] {3, 2}, (s, d, c) -> {
      for (int i = 0; i < c; i++) {
        d[i] = s + i;
      }
    });
    Value b = g.parameter("b", ElementType.FLOAT, new long[] {2}, (s, d, c) -> java.util.Arrays.fill(d, 0, c, 0.5f));
    g.output(o.add(o.matMul(x, w), b), "y", TensorType.of(ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(2)));
    return g.build();
  }

  static float[] run(OrtSession session) throws Exception {
    try (OnnxTensor x = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[] {1, 2, 3}), new long[] {1, 3});
        OrtSession.Result r = session.run(Map.of("x", x))) {
      float[][] y = (float[][]) r.get(0).getValue();
      return y[0];
    }
  }

  @Test
  void inlineBytes() throws Exception {
    try (OrtSession s = ENV.createSession(OnnxModelWriter.toBytes(affine()), new OrtSession.SessionOptions())) {
      assertThat(run(s)).containsExactly(EXPECTED);
    }
  }

  @Test
  void externalDataFile() throws Exception {
    // A 2×256 weight, so that it goes to model.onnx_data (at least EXTERNAL_MIN_BYTES), the bias inline.
    GraphBuilder g = new GraphBuilder("wide");
    Ops o = new Ops(g, ElementType.FLOAT);
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.of(1), Dim.of(2)));
    Value w = g.parameter("w", ElementType.FLOAT, new long[] {2, 256}, (s, d, c) -> java.util.Arrays.fill(d, 0, c, 1f));
    Value b = g.parameter("b", ElementType.FLOAT, new long[] {256}, (s, d, c) -> java.util.Arrays.fill(d, 0, c, 0.25f));
    g.output(o.add(o.matMul(x, w), b), "y", TensorType.of(ElementType.FLOAT, Dim.of(1), Dim.of(256)));
    Path file = tmp.resolve("wide/model.onnx");
    WrittenModel m = OnnxModelWriter.write(g.build(), file, WeightStorage.EXTERNAL, WriteProgress.NONE);
    assertThat(m.hasExternalData()).isTrue();
    try (OrtSession s = ENV.createSession(file.toString(), new OrtSession.SessionOptions());
        OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[] {1, 2}), new long[] {1, 2});
        OrtSession.Result r = s.run(Map.of("x", in))) {
      float[] y = ((float[][]) r.get(0).getValue())[0];
      assertThat(y).hasSize(256).containsOnly(3.25f);
    }
  }


}
