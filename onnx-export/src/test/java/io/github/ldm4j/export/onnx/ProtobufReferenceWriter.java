package io.github.ldm4j.export.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Predicate;

/**
 * The oracle of the hand-written encoder: {@link OnnxModelWriter} as it was before it had one, building
 * the {@code ModelProto} with protobuf-java and the generated {@code ai.onnx.proto.OnnxMl} classes of
 * {@code org.tribuo:tribuo-util-onnx} (a test dependency only). Kept as it was.
 */
final class ProtobufReferenceWriter {

  private static final int CHUNK_ELEMENTS = 1 << 20;

  private ProtobufReferenceWriter() {
  }

  /** The whole model, weights inline, as {@link OnnxModelWriter#toBytes} wrote it with protobuf-java. */
  static OnnxMl.ModelProto inline(OnnxGraph graph) {
    try {
      return toProto(graph, null, OnnxModelWriter.EXTERNAL_DATA_FILE, init -> false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The model {@link OnnxModelWriter#write} wrote with {@link WeightStorage#EXTERNAL}, its external data
   * written to {@code dataFile}.
   */
  static OnnxMl.ModelProto external(OnnxGraph graph, Path dataFile) throws IOException {
    try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      return toProto(graph, ch, OnnxModelWriter.EXTERNAL_DATA_FILE, init -> false);
    }
  }

  private static OnnxMl.ModelProto toProto(OnnxGraph graph, FileChannel externalData, String location,
      Predicate<Initializer> declareOnly) throws IOException {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(graph.name());
    for (Node node : graph.nodes()) {
      g.addNode(node(node));
    }
    for (GraphIO in : graph.inputs()) {
      g.addInput(valueInfo(in));
    }
    for (GraphIO out : graph.outputs()) {
      g.addOutput(valueInfo(out));
    }
    long offset = 0;
    for (Initializer init : graph.initializers()) {
      OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder()
          .setName(init.name())
          .setDataType(init.elementType().onnxCode());
      for (long d : init.dims()) {
        t.addDims(d);
      }
      boolean declared = declareOnly.test(init);
      if (declared || externalData != null && init.byteSize() >= OnnxModelWriter.EXTERNAL_MIN_BYTES) {
        long length = declared ? init.byteSize() : writeExternal(init, externalData);
        t.setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
        t.addExternalData(entry("location", location));
        t.addExternalData(entry("offset", Long.toString(offset)));
        t.addExternalData(entry("length", Long.toString(length)));
        offset += length;
      } else {
        t.setRawData(rawData(init));
      }
      g.addInitializer(t);
    }
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(OnnxModelWriter.IR_VERSION)
        .setProducerName(OnnxModelWriter.PRODUCER)
        .setProducerVersion("1")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(graph.opsetVersion()))
        .setGraph(g)
        .build();
  }

  private static OnnxMl.NodeProto node(Node node) {
    OnnxMl.NodeProto.Builder b = OnnxMl.NodeProto.newBuilder().setName(node.name()).setOpType(node.opType());
    if (!node.domain().isEmpty()) {
      b.setDomain(node.domain());
    }
    node.inputs().forEach(v -> b.addInput(v.name()));
    node.outputs().forEach(v -> b.addOutput(v.name()));
    for (Attribute a : node.attributes()) {
      OnnxMl.AttributeProto.Builder ab = OnnxMl.AttributeProto.newBuilder().setName(a.name());
      switch (a) {
        case Attribute.IntAttr i -> ab.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(i.value());
        case Attribute.FloatAttr f -> ab.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(f.value());
        case Attribute.StringAttr s -> ab.setType(OnnxMl.AttributeProto.AttributeType.STRING)
            .setS(ByteString.copyFrom(s.value(), StandardCharsets.UTF_8));
        case Attribute.IntsAttr is -> {
          ab.setType(OnnxMl.AttributeProto.AttributeType.INTS);
          for (long v : is.values()) {
            ab.addInts(v);
          }
        }
        case Attribute.FloatsAttr fs -> {
          ab.setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
          for (float v : fs.values()) {
            ab.addFloats(v);
          }
        }
      }
      b.addAttribute(ab);
    }
    return b.build();
  }

  private static OnnxMl.ValueInfoProto valueInfo(GraphIO io) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (Dim d : io.type().dims()) {
      OnnxMl.TensorShapeProto.Dimension.Builder db = OnnxMl.TensorShapeProto.Dimension.newBuilder();
      if (d.isSymbolic()) {
        db.setDimParam(d.symbol());
      } else {
        db.setDimValue(d.size());
      }
      shape.addDim(db);
    }
    OnnxMl.TypeProto type = OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
            .setElemType(io.type().elementType().onnxCode())
            .setShape(shape))
        .build();
    return OnnxMl.ValueInfoProto.newBuilder().setName(io.name()).setType(type).build();
  }

  private static OnnxMl.StringStringEntryProto entry(String key, String value) {
    return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  private static ByteString rawData(Initializer init) {
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(init.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    encode(init, buf, null);
    return UnsafeByteOperations.unsafeWrap(buf.array());
  }

  private static long writeExternal(Initializer init, FileChannel ch) throws IOException {
    long chunkBytes = Math.min(init.elementCount(), CHUNK_ELEMENTS) * init.elementType().byteSize();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.max(chunkBytes, 8)).order(ByteOrder.LITTLE_ENDIAN);
    encode(init, buf, ch);
    return init.byteSize();
  }

  private static void encode(Initializer init, ByteBuffer buf, FileChannel ch) {
    ElementType type = init.elementType();
    long n = init.elementCount();
    try {
      switch (init.values()) {
        case TensorValues.Floats f -> {
          float[] chunk = new float[(int) Math.min(n, CHUNK_ELEMENTS)];
          for (long start = 0; start < n; start += chunk.length) {
            int count = (int) Math.min(chunk.length, n - start);
            f.filler().fill(start, chunk, count);
            for (int i = 0; i < count; i++) {
              float v = chunk[i];
              switch (type) {
                case FLOAT -> buf.putFloat(v);
                case FLOAT16 -> buf.putShort(Float.floatToFloat16(v));
                case DOUBLE -> buf.putDouble(v);
                case INT8 -> buf.put((byte) v);
                default -> throw new IllegalStateException("float values for " + type);
              }
            }
            flush(buf, ch);
          }
        }
        case TensorValues.Longs l -> {
          for (int i = 0; i < l.length(); i++) {
            long v = l.get(i);
            switch (type) {
              case INT64 -> buf.putLong(v);
              case INT32 -> buf.putInt(Math.toIntExact(v));
              case UINT8, BOOL -> buf.put((byte) v);
              default -> throw new IllegalStateException("integer values for " + type);
            }
          }
          flush(buf, ch);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void flush(ByteBuffer buf, FileChannel ch) throws IOException {
    if (ch == null) {
      return;
    }
    buf.flip();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    buf.clear();
  }
}
