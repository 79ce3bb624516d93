package io.github.ldm4j.export.sd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import org.junit.jupiter.api.Test;

/** Per-channel symmetric int8 quantization of a weight, and the writer's INT8 initializers. */
class Int8WeightTest {

  /** A linear weight [in = 3, out = 2] (channel axis 1): column 0 holds 1, -2, 0.5; column 1 holds 0.1, 0.3, -0.2. */
  private static final float[] W = {1, 0.1f, -2, 0.3f, 0.5f, -0.2f};

  private static float[] fill(io.github.ldm4j.export.onnx.TensorValues.FloatFiller f, int n) {
    float[] out = new float[n];
    f.fill(0, out, n);
    return out;
  }

  @Test
  void scalesAreTheChannelMaximumOver127AndValuesRoundWithinHalfAStep() {
    Int8Weight q = new Int8Weight((s, d, c) -> System.arraycopy(W, (int) s, d, 0, c), new long[] {3, 2}, 1);
    assertThat(q.scales()).containsExactly(2f / 127, 0.3f / 127);
    // by hand: 1 / (2/127) = 63.5 → 64 (Math.round: half up), -2 → -127, 0.5 → 31.75 → 32; 0.1 → 42.33 → 42, 0.3 → 127, -0.2 → -84.67 → -85
    assertThat(fill(q.quantized(), 6)).containsExactly(64, 42, -127, 127, 32, -85);
    float[] v = fill(q.quantized(), 6);
    for (int i = 0; i < W.length; i++) {
      float scale = q.scales()[i % 2];
      assertThat(Math.abs(v[i] * scale - W[i])).isLessThanOrEqualTo(scale / 2 + 1e-7f);
    }
    // any sub-range gives the same values (the writer fills chunks in any order)
    float[] tail = new float[3];
    q.quantized().fill(3, tail, 3);
    assertThat(tail).containsExactly(127, 32, -85);
    assertThat(fill(q.scaleValues(), 2)).containsExactly(q.scales());
  }

  @Test
  void convolutionChannelsAreTheFirstAxisAndAZeroChannelGetsScaleOne() {
    // [out = 2, in = 1, 1, 2]: channel 0 = (0, 0), channel 1 = (4, -1)
    float[] w = {0, 0, 4, -1};
    Int8Weight q = new Int8Weight((s, d, c) -> System.arraycopy(w, (int) s, d, 0, c), new long[] {2, 1, 1, 2}, 0);
    assertThat(q.scales()).containsExactly(1f, 4f / 127);
    assertThat(fill(q.quantized(), 4)).containsExactly(0, 0, 127, -32);
  }

  @Test
  void aNonFiniteWeightIsRefusedNamingTheChannel() {
    Int8Weight q = new Int8Weight((s, d, c) -> java.util.Arrays.fill(d, 0, c, Float.NaN), new long[] {2, 3}, 1);
    assertThatThrownBy(q::scales).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel 0");
  }

  @Test
  void theWriterRefusesAnInt8ValueThatIsNoByte() {
    GraphBuilder g = new GraphBuilder("bad");
    io.github.ldm4j.export.onnx.Value w = g.parameter("w", ElementType.INT8, new long[] {2},
        (s, d, c) -> java.util.Arrays.fill(d, 0, c, 200f));
    g.output(g.op("Identity", java.util.List.of(w)), "y",
        io.github.ldm4j.export.onnx.TensorType.of(ElementType.INT8, io.github.ldm4j.export.onnx.Dim.of(2)));
    assertThatThrownBy(() -> OnnxModelWriter.toBytes(g.build())).hasStackTraceContaining("INT8 initializer value 200.0");
  }
}
