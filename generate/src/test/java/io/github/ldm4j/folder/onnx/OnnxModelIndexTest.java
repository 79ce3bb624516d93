package io.github.ldm4j.folder.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.Attribute;
import io.github.ldm4j.export.onnx.Dim;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.GraphBuilder;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import io.github.ldm4j.export.onnx.Ops;
import io.github.ldm4j.export.onnx.TensorType;
import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.onnx.Value;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.model.LayerNorm;
import io.github.ldm4j.testkit.internal.SeededWeights;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The minimal ONNX reader behind CLIP skip: every way ONNX stores float tensors, and the final layer norm lookup. */
class OnnxModelIndexTest {

  @TempDir Path dir;

  @Test
  void decodesEveryFloatEncodingAndTheGraphStructure() throws IOException {
    float[] values = {1.5f, -2.25f, 0.125f, 3f};
    ByteBuffer f32 = le(16);
    ByteBuffer f16 = le(8);
    ByteBuffer bf16 = le(8);
    for (float v : values) {
      f32.putFloat(v);
      f16.putShort(Float.floatToFloat16(v));
      bf16.putShort((short) (Float.floatToRawIntBits(v) >>> 16)); // these values are exact in bfloat16
    }
    ByteBuffer ext = le(64 + 16);
    ext.position(64);
    for (float v : values) {
      ext.putFloat(v);
    }
    Files.write(dir.resolve("weights.bin"), ext.array());

    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("g")
        .addInitializer(tensor("raw32", 1).setRawData(ByteString.copyFrom(f32.array())))
        .addInitializer(tensor("raw16", 10).setRawData(ByteString.copyFrom(f16.array())))
        .addInitializer(tensor("rawbf16", 16).setRawData(ByteString.copyFrom(bf16.array())))
        .addInitializer(tensor("packed32", 1).addAllFloatData(List.of(1.5f, -2.25f, 0.125f, 3f)))
        .addInitializer(tensor("int32data16", 10).addAllInt32Data(
            List.of(halfBits(1.5f), halfBits(-2.25f), halfBits(0.125f), halfBits(3f))))
        .addInitializer(tensor("doubles", 11).addAllDoubleData(List.of(1.5, -2.25, 0.125, 3.0)))
        .addInitializer(tensor("external", 1).setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", "weights.bin")).addExternalData(entry("offset", "64"))
            .addExternalData(entry("length", "16")))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Constant").addOutput("const_out")
            .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("value")
                .setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                .setT(tensor("", 1).setRawData(ByteString.copyFrom(f32.array())))))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("LayerNormalization")
            .addInput("x").addInput("raw32").addInput("packed32").addOutput("y")
            .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("epsilon").setF(1e-6f)
                .setType(OnnxMl.AttributeProto.AttributeType.FLOAT)))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").addInput("y").addOutput("out"))
        .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("out"));
    Path file = dir.resolve("model.onnx");
    Files.write(file, OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(g).build().toByteArray());

    OnnxModelIndex.read(file, index -> {
      for (String name : List.of("raw32", "raw16", "rawbf16", "packed32", "int32data16", "doubles", "external", "const_out")) {
        assertThat(index.floats(name)).as(name).hasValueSatisfying(v -> assertThat(v).containsExactly(values));
      }
      assertThat(index.floats("nothing")).isEmpty();
      assertThat(index.initializerNames())
          .containsExactly("raw32", "raw16", "rawbf16", "packed32", "int32data16", "doubles", "external");
      assertThat(index.graphOutputs()).containsExactly("out");
      assertThat(index.externalInitializers()).singleElement().satisfies(t -> {
        assertThat(t.name()).isEqualTo("external");
        assertThat(t.dataType()).isEqualTo(1);
        assertThat(t.file()).isEqualTo(dir.resolve("weights.bin"));
        assertThat(t.offset()).isEqualTo(64);
        assertThat(t.length()).isEqualTo(16);
      });
      assertThat(index.producer("out")).hasValueSatisfying(n -> assertThat(n.opType()).isEqualTo("Identity"));
      assertThat(index.consumers("raw32")).singleElement().satisfies(n -> {
        assertThat(n.opType()).isEqualTo("LayerNormalization");
        assertThat(n.epsilon().getAsDouble()).isEqualTo(1e-6f);
        assertThat(n.inputs()).containsExactly("x", "raw32", "packed32");
      });
      return null;
    });
  }

  @Test
  void aTensorWithTheWrongAmountOfDataIsAnErrorNamingIt() throws IOException {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder()
        .addInitializer(tensor("short", 1).setRawData(ByteString.copyFrom(new byte[12])))
        .addInitializer(tensor("ints", 7).setRawData(ByteString.copyFrom(new byte[32])));
    Path file = dir.resolve("bad.onnx");
    Files.write(file, OnnxMl.ModelProto.newBuilder().setGraph(g).build().toByteArray());
    OnnxModelIndex.read(file, index -> {
      assertThatThrownBy(() -> index.floats("short")).isInstanceOf(IOException.class)
          .hasMessageContaining("short").hasMessageContaining("12 bytes").hasMessageContaining("16");
      assertThatThrownBy(() -> index.floats("ints")).isInstanceOf(IOException.class)
          .hasMessageContaining("ints").hasMessageContaining("expected a float type");
      return null;
    });
  }

  @Test
  void garbageAndTruncatedFilesAreIoErrorsNamingTheFile() throws IOException {
    Path garbage = dir.resolve("garbage.onnx");
    byte[] bytes = new byte[1000];
    new java.util.Random(3).nextBytes(bytes);
    Files.write(garbage, bytes);
    assertThatThrownBy(() -> OnnxModelIndex.read(garbage, index -> null))
        .isInstanceOf(IOException.class).hasMessageContaining(garbage.toString());

    SdModel.write(dir.resolve("sd"), SdOptions.tiny());
    byte[] full = Files.readAllBytes(dir.resolve("sd/text_encoder/model.onnx"));
    Path truncated = dir.resolve("truncated.onnx");
    Files.write(truncated, java.util.Arrays.copyOf(full, full.length / 2));
    assertThatThrownBy(() -> OnnxModelIndex.read(truncated, index -> null))
        .isInstanceOf(IOException.class).hasMessageContaining(truncated.toString()).hasMessageContaining("past the end");
  }

  @Test
  void fp16ExportsHoldTheFp32WeightsRounded() throws IOException {
    // The conformance suite compares fp16 with fp32 outputs; that is only meaningful on the same weights.
    SdModel.write(dir.resolve("fp32"), SdOptions.tiny());
    SdModel.write(dir.resolve("fp16"), SdOptions.tiny().withPrecision(Precision.FP16));
    for (String component : List.of("text_encoder", "unet", "vae_decoder", "vae_encoder")) {
      Path f32 = dir.resolve("fp32").resolve(component).resolve("model.onnx");
      Path f16 = dir.resolve("fp16").resolve(component).resolve("model.onnx");
      List<String> names = OnnxModelIndex.read(f32, OnnxModelIndex::initializerNames);
      List<String> parameters = names.stream().filter(n -> n.contains(".weight") || n.contains(".bias")).toList();
      assertThat(OnnxModelIndex.read(f16, OnnxModelIndex::initializerNames)).as(component).containsAll(parameters);
      assertThat(parameters).as(component).isNotEmpty();
      OnnxModelIndex.read(f32, full -> OnnxModelIndex.read(f16, half -> {
        for (String n : parameters) {
          float[] a = full.floats(n).orElseThrow();
          float[] b = half.floats(n).orElseThrow();
          assertThat(b).as(component + " " + n).hasSameSizeAs(a);
          for (int i = 0; i < a.length; i++) {
            if (Float.float16ToFloat(Float.floatToFloat16(a[i])) != b[i]) {
              throw new AssertionError(component + " " + n + "[" + i + "]: fp16 " + b[i] + " is not fp32 " + a[i] + " rounded");
            }
          }
        }
        return null;
      }));
    }
  }

  @Test
  void findsTheFinalLayerNormOfTheTinyClipByName() throws IOException {
    SdModel.write(dir, SdOptions.tiny());
    FinalLayerNormLookup found = FinalLayerNormLookup.find(dir.resolve("text_encoder/model.onnx"), "last_hidden_state");
    LayerNorm norm = found.norm().orElseThrow();
    assertThat(found.explanation()).contains(FinalLayerNormLookup.WEIGHT);
    assertThat(norm.epsilon()).isEqualTo(1e-5f);
    // The testkit's seeded values (seed 0, PyTorch-style norm init 1 ± 0.1 and 0 ± 0.1), computed independently.
    assertThat(norm.weight()).containsExactly(seeded(FinalLayerNormLookup.WEIGHT, 1, 32));
    assertThat(norm.bias()).containsExactly(seeded(FinalLayerNormLookup.BIAS, 0, 32));
  }

  @Test
  void findsAnAnonymousFinalLayerNormThroughTheNodeProducingTheOutput() throws IOException {
    GraphBuilder g = new GraphBuilder("text_encoder");
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.symbolic("b"), Dim.of(600)));
    Value w = g.constant("onnx::Mul_123", ElementType.FLOAT, new long[] {600}, TensorValues.constant(0.5f));
    Value b = g.constant("onnx::Add_124", ElementType.FLOAT, new long[] {600}, TensorValues.constant(-0.25f));
    Value y = g.op("LayerNormalization", List.of(x, w, b), Attribute.of("axis", -1L), Attribute.of("epsilon", 1e-6f));
    g.output(g.op("Identity", List.of(y)), "last_hidden_state", TensorType.of(ElementType.FLOAT, Dim.symbolic("b"), Dim.of(600)));
    // 2.4 KB per initializer: stored as external data, which the lookup reads too
    Path file = dir.resolve("te/model.onnx");
    OnnxModelWriter.write(g.build(), file, WeightStorage.EXTERNAL, WriteProgress.NONE);
    assertThat(dir.resolve("te").resolve(OnnxModelWriter.EXTERNAL_DATA_FILE)).exists();
    FinalLayerNormLookup found = FinalLayerNormLookup.find(file, "last_hidden_state");
    LayerNorm norm = found.norm().orElseThrow();
    assertThat(found.explanation()).contains("LayerNormalization node producing last_hidden_state");
    assertThat(norm.epsilon()).isEqualTo(1e-6f);
    assertThat(norm.weight()).hasSize(600).containsOnly(0.5f);
    assertThat(norm.bias()).hasSize(600).containsOnly(-0.25f);
  }

  @Test
  void findsADecomposedFinalLayerNormWithEpsilonFromTheConfig() throws IOException {
    // LayerNorm as opset-14 exports write it: ReduceMean, Sub, Pow, ReduceMean, Add ε, Sqrt, Div, Mul γ, Add β
    GraphBuilder g = new GraphBuilder("text_encoder");
    Ops o = new Ops(g, ElementType.FLOAT);
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.symbolic("b"), Dim.of(4)));
    Value mean = g.op("ReduceMean", List.of(x), Attribute.ints("axes", -1));
    Value centred = o.sub(x, mean);
    Value var = g.op("ReduceMean", List.of(g.op("Pow", List.of(centred, o.scalar(2f)))), Attribute.ints("axes", -1));
    Value normed = o.div(centred, g.op("Sqrt", List.of(o.add(var, o.scalar(1e-6f)))));
    Value w = g.constant("onnx::Mul_7", ElementType.FLOAT, new long[] {4}, TensorValues.of(1f, 2f, 3f, 4f));
    Value b = g.constant("onnx::Add_8", ElementType.FLOAT, new long[] {4}, TensorValues.of(-1f, 0f, 1f, 2f));
    Value y = o.add(b, o.mul(normed, w));
    g.output(y, "last_hidden_state", TensorType.of(ElementType.FLOAT, Dim.symbolic("b"), Dim.of(4)));
    Path file = dir.resolve("te/model.onnx");
    OnnxModelWriter.write(g.build(), file, WeightStorage.INLINE, WriteProgress.NONE);
    Files.writeString(dir.resolve("te/config.json"), "{\"layer_norm_eps\": 1e-06, \"hidden_size\": 4}");
    FinalLayerNormLookup found = FinalLayerNormLookup.find(file, "last_hidden_state");
    LayerNorm norm = found.norm().orElseThrow();
    assertThat(found.explanation()).contains("decomposed LayerNorm");
    assertThat(norm.weight()).containsExactly(1f, 2f, 3f, 4f);
    assertThat(norm.bias()).containsExactly(-1f, 0f, 1f, 2f);
    assertThat(norm.epsilon()).isEqualTo(1e-6);
  }

  @Test
  void explainsWhatItLookedForWhenThereIsNoFinalLayerNorm() throws IOException {
    GraphBuilder g = new GraphBuilder("text_encoder");
    Value x = g.input("x", TensorType.of(ElementType.FLOAT, Dim.of(4)));
    g.output(g.op("Relu", List.of(x)), "last_hidden_state", TensorType.of(ElementType.FLOAT, Dim.of(4)));
    Path file = dir.resolve("m.onnx");
    OnnxModelWriter.write(g.build(), file, WeightStorage.INLINE, WriteProgress.NONE);
    FinalLayerNormLookup found = FinalLayerNormLookup.find(file, "last_hidden_state");
    assertThat(found.norm()).isEmpty();
    assertThat(found.explanation())
        .contains(file.toString())
        .contains(FinalLayerNormLookup.WEIGHT)
        .contains("LayerNormalization node")
        .contains("'last_hidden_state'");
  }

  private static float[] seeded(String name, double center, int n) {
    float[] out = new float[n];
    SeededWeights.uniform(0, name, center, 0.1).fill(0, out, n);
    return out;
  }

  private static OnnxMl.TensorProto.Builder tensor(String name, int dataType) {
    return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(dataType).addDims(2).addDims(2);
  }

  private static OnnxMl.StringStringEntryProto entry(String k, String v) {
    return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  private static int halfBits(float v) {
    return Float.floatToFloat16(v) & 0xffff;
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
