package io.github.ldm4j.export.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.SdGraphs;
import io.github.ldm4j.export.sd.TextEncoderArchitecture;
import io.github.ldm4j.export.sd.UNetArchitecture;
import io.github.ldm4j.export.sd.VaeArchitecture;
import io.github.ldm4j.export.sd.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hand-written encoder against protobuf-java: for every kind of graph the writer can be given,
 * {@link OnnxModelWriter} writes exactly the bytes that protobuf-java wrote for the model built with
 * the generated {@code OnnxMl} classes ({@link ProtobufReferenceWriter}, the writer before it had its
 * own encoder), and those bytes parse back to the same message.
 */
class OnnxModelWriterProtoParityTest {

  @TempDir
  Path tmp;

  /** Deterministic pseudo-random values, different per parameter name. */
  static final Weights SEEDED = p -> {
    long seed = p.name().hashCode();
    return (start, dst, count) -> {
      for (int i = 0; i < count; i++) {
        long x = (seed + start + i) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        dst[i] = (float) ((x % 2001) / 1000.0 * p.bound() + p.center());
      }
    };
  };

  static TensorValues.FloatFiller ramp(float scale) {
    return (start, dst, count) -> {
      for (int i = 0; i < count; i++) {
        dst[i] = (start + i) * scale - 1.5f;
      }
    };
  }

  static Initializer param(String name, ElementType type, TensorValues.FloatFiller f, long... dims) {
    return new Initializer(name, type, Arrays.stream(dims).boxed().toList(), Initializer.Role.PARAMETER,
        new TensorValues.Floats(f));
  }

  static Initializer constant(String name, ElementType type, TensorValues values, long... dims) {
    return new Initializer(name, type, Arrays.stream(dims).boxed().toList(), Initializer.Role.CONSTANT, values);
  }

  static GraphIO io(String name, ElementType type, Dim... dims) {
    return new GraphIO(name, TensorType.of(type, dims));
  }

  static Node node(String name, String op, String domain, List<String> in, List<String> out, Attribute... attrs) {
    return new Node(name, op, domain, in.stream().map(Value::new).toList(), out.stream().map(Value::new).toList(),
        List.of(attrs));
  }

  /**
   * Everything the writer can express in one graph (not a runnable one): every attribute kind with
   * default, negative, extreme and empty values, odd strings, a non-default domain, an omitted input,
   * symbolic, fixed, zero and no dims, every element type as scalar, empty and filled initializer.
   */
  static OnnxGraph everything() {
    List<Node> nodes = List.of(
        node("ints", "Op", "", List.of("x", "", "c"), List.of("a"),
            Attribute.of("zero", 0L), Attribute.of("one", 1L), Attribute.of("minus", -1L),
            Attribute.of("min", Long.MIN_VALUE), Attribute.of("max", Long.MAX_VALUE), Attribute.of("big", 1L << 35),
            Attribute.ints("none"), Attribute.ints("list", 0, 1, -1, 127, 128, 300, Long.MIN_VALUE, Long.MAX_VALUE)),
        node("floats", "Op", "", List.of("a"), List.of("b", "b2"),
            Attribute.of("zero", 0f), Attribute.of("negzero", -0f), Attribute.of("eps", 1e-6f),
            Attribute.of("nan", Float.intBitsToFloat(0x7fc00001)), Attribute.of("inf", Float.NEGATIVE_INFINITY),
            Attribute.floats("none"), Attribute.floats("list", 0f, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE)),
        node("strings", "Custom", "com.microsoft", List.of("b"), List.of("c"),
            Attribute.of("empty", ""), Attribute.of("ascii", "NCHW"), Attribute.of("utf8", "äöü ☃ 𝄞 猫"),
            Attribute.of("surrogate", "a\uD800b")),
        node("", "NoName", "ai.onnx.ml", List.of(), List.of("d")),
        node("long", "Op", "", List.of("d"), List.of("e"), Attribute.ints("many",
            IntStream.range(0, 40_000).mapToLong(i -> (long) i * i - 20_000).toArray())),
        node("ünïcode name", "Op", "", List.of("e"), List.of("y", "z")));
    List<GraphIO> inputs = List.of(
        io("x", ElementType.FLOAT, Dim.symbolic("batch"), Dim.of(3), Dim.of(0), Dim.symbolic("höhe"),
            Dim.of(1L << 40)),
        io("scalar", ElementType.INT64),
        io("h", ElementType.FLOAT16, Dim.of(1)),
        io("flag", ElementType.BOOL, Dim.symbolic("n")));
    List<GraphIO> outputs = List.of(io("y", ElementType.DOUBLE, Dim.of(0)), io("z", ElementType.UINT8));
    List<Initializer> inits = new ArrayList<>(List.of(
        param("f32_scalar", ElementType.FLOAT, ramp(1)),
        param("f32", ElementType.FLOAT, ramp(0.25f), 3, 4),
        param("f16", ElementType.FLOAT16, ramp(0.5f), 2, 3, 5),
        param("f64", ElementType.DOUBLE, ramp(1e-3f), 7),
        param("empty", ElementType.FLOAT, ramp(1), 0),
        param("empty_2d", ElementType.FLOAT16, ramp(1), 3, 0),
        param("big", ElementType.FLOAT, ramp(1e-4f), 64, 100), // 25 600 bytes: external, and referenced inline
        param("big16", ElementType.FLOAT16, ramp(1e-4f), 1000), // 2 000 bytes
        param("just_under", ElementType.FLOAT, ramp(1), 255), // 1 020 bytes: stays inline in EXTERNAL mode
        param("just_at", ElementType.FLOAT, ramp(1), 256), // 1 024 bytes: external
        constant("i64", ElementType.INT64, TensorValues.ofLongs(0, -1, Long.MIN_VALUE, Long.MAX_VALUE), 4),
        constant("i64_scalar", ElementType.INT64, TensorValues.ofLongs(-7)),
        constant("i64_empty", ElementType.INT64, TensorValues.ofLongs(), 0),
        constant("i32", ElementType.INT32, TensorValues.ofLongs(1, -2, Integer.MIN_VALUE, Integer.MAX_VALUE), 2, 2),
        constant("u8", ElementType.UINT8, TensorValues.ofLongs(0, 1, 255, 128), 4),
        constant("bool", ElementType.BOOL, TensorValues.ofLongs(1, 0, 1), 3),
        constant("const_f32", ElementType.FLOAT, TensorValues.of(1, 1, 2, 2), 4),
        constant("const_big", ElementType.FLOAT, TensorValues.constant(0.5f), 1000),
        constant("big_ints", ElementType.INT64, TensorValues.ofLongs(new long[500]), 500)));
    return new OnnxGraph("everything", GraphBuilder.OPSET, inputs, outputs, nodes, inits);
  }

  /** A graph of nothing but one node: no initializers, an empty name, another opset. */
  static OnnxGraph minimal() {
    return new OnnxGraph("", 13, List.of(io("x", ElementType.FLOAT)), List.of(io("y", ElementType.FLOAT)),
        List.of(node("n", "Identity", "", List.of("x"), List.of("y"))), List.of());
  }

  /** Many nodes and a large inline tensor: the encoder's buffers fill, flush and reference. */
  static OnnxGraph large() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      nodes.add(node("node_" + i, "Add", "", List.of("v" + i, "w"), List.of("v" + (i + 1)),
          Attribute.ints("axes", i, -i)));
    }
    return new OnnxGraph("large", GraphBuilder.OPSET, List.of(io("v0", ElementType.FLOAT, Dim.of(1 << 18))),
        List.of(io("v20000", ElementType.FLOAT, Dim.of(1 << 18))), nodes,
        List.of(param("w", ElementType.FLOAT, ramp(1e-6f), 1 << 18),
            param("w16", ElementType.FLOAT16, ramp(1), 3_000_000)));
  }

  /** A small SD v1 architecture (the tiny family with a 1000-token vocabulary). */
  static SdArchitecture smallSd1() {
    return new SdArchitecture(
        new TextEncoderArchitecture(1000, 77, 32, 2, 2, 64, 999),
        new UNetArchitecture(4, 4, List.of(32, 64, 64), List.of(true, true, false), 1, 2, 32, 8),
        new VaeArchitecture(List.of(16, 32, 32, 32), 1, 4, 8));
  }

  /** A small SD 2.x-style architecture: head channels, linear projections, exact GELU. */
  static SdArchitecture smallSd2() {
    return new SdArchitecture(
        new TextEncoderArchitecture(1000, 77, 32, 2, 2, 64, 999, false),
        new UNetArchitecture(4, 4, List.of(32, 64), List.of(true, true), 2, 2, 32, 8, 16, true),
        new VaeArchitecture(List.of(8, 16, 16, 16), 1, 4, 8));
  }

  static void assertSameModel(byte[] actual, OnnxMl.ModelProto expected) throws Exception {
    byte[] want = expected.toByteArray();
    if (!Arrays.equals(actual, want)) {
      int at = Arrays.mismatch(actual, want);
      HexFormat hex = HexFormat.of();
      throw new AssertionError("bytes differ at offset " + at + " of " + actual.length + " (protobuf-java: "
          + want.length + "): got " + hex.formatHex(actual, Math.max(0, at - 8), Math.min(actual.length, at + 16))
          + ", want " + hex.formatHex(want, Math.max(0, at - 8), Math.min(want.length, at + 16)));
    }
    OnnxMl.ModelProto parsed = OnnxMl.ModelProto.parseFrom(actual);
    assertThat(parsed).isEqualTo(expected);
    assertThat(parsed.getUnknownFields().asMap()).isEmpty();
    assertThat(parsed.toByteArray()).isEqualTo(actual);
  }

  void assertParity(OnnxGraph graph) throws Exception {
    OnnxMl.ModelProto inline = ProtobufReferenceWriter.inline(graph);
    assertSameModel(OnnxModelWriter.toBytes(graph), inline);

    Path file = tmp.resolve(graph.name() + "-inline/model.onnx");
    WrittenModel w = OnnxModelWriter.write(graph, file, WeightStorage.INLINE, WriteProgress.NONE);
    assertThat(w.hasExternalData()).isFalse();
    assertSameModel(Files.readAllBytes(file), inline);

    Path oracleDir = Files.createDirectories(tmp.resolve(graph.name() + "-oracle"));
    OnnxMl.ModelProto external = ProtobufReferenceWriter.external(graph, oracleDir.resolve("model.onnx_data"));
    Path extFile = tmp.resolve(graph.name() + "-external/model.onnx");
    OnnxModelWriter.write(graph, extFile, WeightStorage.EXTERNAL, WriteProgress.NONE);
    assertSameModel(Files.readAllBytes(extFile), external);
    assertThat(Files.readAllBytes(extFile.resolveSibling(OnnxModelWriter.EXTERNAL_DATA_FILE)))
        .isEqualTo(Files.readAllBytes(oracleDir.resolve("model.onnx_data")));

  }

  @Test
  void everyFieldTheWriterUsesIsEncodedAsProtobufJavaDoes() throws Exception {
    assertParity(everything());
    assertParity(minimal());
  }

  @Test
  void largeGraphsAndTensorsToo() throws Exception {
    assertParity(large());
  }

  @ParameterizedTest
  @EnumSource(ExportFlavor.class)
  void theStableDiffusionGraphs(ExportFlavor flavor) throws Exception {
    for (SdArchitecture a : List.of(smallSd1(), smallSd2(), smallSd1().inpainting())) {
      for (Precision p : Precision.values()) {
        assertParity(SdGraphs.textEncoder(a, flavor, p, SEEDED));
        assertParity(SdGraphs.textEncoder(a, flavor, p, SEEDED, true));
        assertParity(SdGraphs.unet(a, flavor, p, SEEDED));
        assertParity(SdGraphs.vaeEncoder(a, flavor, p, SEEDED));
        assertParity(SdGraphs.vaeDecoder(a, p, SEEDED));
      }
    }
  }

  @Test
  void theTinyFamilyDefault() throws Exception {
    assertParity(SdGraphs.unet(SdArchitecture.tiny(), ExportFlavor.OPTIMUM, Precision.FP16, SEEDED));
    assertParity(SdGraphs.textEncoder(SdArchitecture.tiny(), ExportFlavor.OPTIMUM, Precision.FP32, SEEDED));
  }
}
