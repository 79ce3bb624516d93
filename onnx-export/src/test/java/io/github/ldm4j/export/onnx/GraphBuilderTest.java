package io.github.ldm4j.export.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The graph DSL and the writer, independent of any model family. */
class GraphBuilderTest {

  @TempDir
  Path tmp;

  static OnnxGraph affine(ElementType ft) {
    GraphBuilder g = new GraphBuilder("affine");
    Ops o = new Ops(g, ft);
    Value x = g.input("x", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(3)));
    Value w = g.parameter("w", ft, new long[] {3, 2}, (s, d, c) -> {
      for (int i = 0; i < c; i++) {
        d[i] = s + i;
      }
    });
    Value b = g.parameter("b", ft, new long[] {2}, (s, d, c) -> java.util.Arrays.fill(d, 0, c, 0.5f));
    g.output(o.add(o.matMul(x, w), b), "y", TensorType.of(ft, Dim.symbolic("batch"), Dim.of(2)));
    return g.build();
  }

  @Test
  void serialisesAnOpset17ModelWithSymbolicDims() throws Exception {
    OnnxGraph graph = affine(ElementType.FLOAT16);
    assertThat(graph.parameterCount()).isEqualTo(8);
    assertThat(graph.initializerBytes()).isEqualTo(16);
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(OnnxModelWriter.toBytes(graph));
    assertThat(m.getIrVersion()).isEqualTo(8);
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
    assertThat(m.getProducerName()).isEqualTo("ldm4j-testkit");
    var in = m.getGraph().getInput(0).getType().getTensorType();
    assertThat(in.getElemType()).isEqualTo(10);
    assertThat(in.getShape().getDim(0).getDimParam()).isEqualTo("batch");
    assertThat(in.getShape().getDim(1).getDimValue()).isEqualTo(3);
    OnnxMl.TensorProto w = m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("w"))
        .findFirst().orElseThrow();
    // fp16 bit patterns of 0, 1, 2, 3, 4, 5 (little-endian).
    byte[] raw = w.getRawData().toByteArray();
    assertThat(raw).hasSize(12);
    assertThat(Float.float16ToFloat((short) ((raw[10] & 0xFF) | (raw[11] << 8)))).isEqualTo(5f);
  }

  @Test
  void externalDataKeepsSmallTensorsInlineAndRecordsOffsets() throws Exception {
    GraphBuilder g = new GraphBuilder("big");
    Ops o = new Ops(g, ElementType.FLOAT);
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.of(1000)));
    Value a = g.parameter("a", ElementType.FLOAT, new long[] {1000}, (s, d, c) -> java.util.Arrays.fill(d, 0, c, 1f));
    Value b = g.parameter("b", ElementType.FLOAT, new long[] {1000}, (s, d, c) -> java.util.Arrays.fill(d, 0, c, 2f));
    Value tiny = g.parameter("c", ElementType.FLOAT, new long[] {1}, (s, d, c) -> d[0] = 3f);
    g.output(o.add(o.add(o.mul(x, a), b), tiny), "y", TensorType.of(ElementType.FLOAT, Dim.of(1000)));
    WrittenModel w = OnnxModelWriter.write(g.build(), tmp.resolve("m/model.onnx"), WeightStorage.EXTERNAL,
        WriteProgress.NONE);
    assertThat(w.files()).hasSize(2);
    assertThat(Files.size(tmp.resolve("m/model.onnx_data"))).isEqualTo(8000);
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(tmp.resolve("m/model.onnx")));
    var inits = m.getGraph().getInitializerList();
    assertThat(inits.get(1).getExternalData(1).getValue()).isEqualTo("4000");
    assertThat(inits.get(1).getDataLocation()).isEqualTo(OnnxMl.TensorProto.DataLocation.EXTERNAL);
    assertThat(inits.get(2).getRawData().size()).isEqualTo(4);

    // Writing inline afterwards removes the stale external file.
    OnnxModelWriter.write(affine(ElementType.FLOAT), tmp.resolve("m/model.onnx"), WeightStorage.INLINE,
        WriteProgress.NONE);
    assertThat(tmp.resolve("m/model.onnx_data")).doesNotExist();
  }

  @Test
  void rejectsUnknownAndDuplicateValues() {
    GraphBuilder g = new GraphBuilder("bad");
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.of(1)));
    assertThatThrownBy(() -> g.op("Relu", List.of(new Value("nope"))))
        .hasMessageContaining("unknown value 'nope'");
    assertThatThrownBy(() -> g.input("x", TensorType.of(ElementType.FLOAT)))
        .hasMessageContaining("'x' is already defined");
    assertThatThrownBy(g::build).hasMessageContaining("declares no outputs");
    assertThatThrownBy(() -> new Initializer("i", ElementType.INT64, List.of(3L), Initializer.Role.CONSTANT,
        TensorValues.ofLongs(1, 2))).hasMessageContaining("2 values for dims [3]");
    assertThatThrownBy(() -> new Initializer("f", ElementType.INT64, List.of(1L), Initializer.Role.CONSTANT,
        TensorValues.of(1f))).hasMessageContaining("float values for element type INT64");
    assertThatThrownBy(() -> Dim.of(-2)).hasMessageContaining(">= 0");
    assertThatThrownBy(() -> new Ops(g, ElementType.INT32)).hasMessageContaining("FLOAT, FLOAT16 or DOUBLE");
    assertThat(x.name()).isEqualTo("x");
  }

  @Test
  void progressCoversEveryByte() {
    long[] last = new long[2];
    OnnxModelWriter.write(affine(ElementType.FLOAT), tmp.resolve("p/model.onnx"), WeightStorage.INLINE,
        (file, done, total) -> {
          last[0] = done;
          last[1] = total;
        });
    assertThat(last[0]).isEqualTo(last[1]).isEqualTo(32);
  }
}
