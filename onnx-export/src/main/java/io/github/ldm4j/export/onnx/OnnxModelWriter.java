package io.github.ldm4j.export.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Serialises an {@link OnnxGraph} as an ONNX {@code ModelProto} (IR version 8, default-domain opset
 * {@link GraphBuilder#OPSET}) with the generated {@code ai.onnx.proto.OnnxMl} classes. Initializer
 * contents are produced chunk by chunk while writing, so external-data models never hold more than
 * one tensor's worth of weights in memory. The output is deterministic: the same graph gives the
 * same bytes.
 */
public final class OnnxModelWriter {

  /** Name of the external-data file written next to the model file. */
  public static final String EXTERNAL_DATA_FILE = "model.onnx_data";

  /** In {@link WeightStorage#EXTERNAL} mode, smaller initializers stay inside the model file. */
  public static final long EXTERNAL_MIN_BYTES = 1024;

  /** {@link WeightStorage#AUTO} switches to external data above this many initializer bytes. */
  public static final long AUTO_EXTERNAL_BYTES = 1L << 30;

  /** ONNX IR version written (IR 8 goes with opset 17). */
  public static final long IR_VERSION = 8;

  /**
   * {@code producer_name} of every generated model. Its value dates from the testkit and is kept so
   * that written models (the demo model's cache among them) stay byte-identical.
   */
  public static final String PRODUCER = "ldm4j-testkit";

  private static final int CHUNK_ELEMENTS = 1 << 20;

  private OnnxModelWriter() {
  }

  /**
   * Writes {@code graph} to {@code modelFile} (parent folders are created), with external data in
   * {@link #EXTERNAL_DATA_FILE} next to it when {@code storage} asks for it.
   *
   * @return the files written
   * @throws UncheckedIOException when writing fails
   */
  public static WrittenModel write(OnnxGraph graph, Path modelFile, WeightStorage storage, WriteProgress progress) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(progress, "progress");
    boolean external = switch (storage) {
      case INLINE -> false;
      case EXTERNAL -> true;
      case AUTO -> graph.initializerBytes() > AUTO_EXTERNAL_BYTES;
    };
    try {
      Path parent = modelFile.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path dataFile = parent.resolve(EXTERNAL_DATA_FILE);
      Counter counter = new Counter(modelFile, graph.initializerBytes(), progress);
      OnnxMl.ModelProto model;
      if (external) {
        try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
          model = toProto(graph, ch, counter);
        }
      } else {
        Files.deleteIfExists(dataFile);
        model = toProto(graph, null, counter);
      }
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(modelFile), 1 << 16)) {
        model.writeTo(out);
      }
      List<Path> files = new ArrayList<>();
      files.add(modelFile);
      long total = Files.size(modelFile);
      if (external) {
        files.add(dataFile);
        total += Files.size(dataFile);
      }
      return new WrittenModel(modelFile, files, total);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write ONNX model " + modelFile, e);
    }
  }

  /** The whole model, weights inline, as bytes (for small models and tests). */
  public static byte[] toBytes(OnnxGraph graph) {
    try {
      return toProto(graph, null, new Counter(null, graph.initializerBytes(), WriteProgress.NONE)).toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static OnnxMl.ModelProto toProto(OnnxGraph graph, FileChannel externalData, Counter counter)
      throws IOException {
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
      if (externalData != null && init.byteSize() >= EXTERNAL_MIN_BYTES) {
        long length = writeExternal(init, externalData, counter);
        t.setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
        t.addExternalData(entry("location", EXTERNAL_DATA_FILE));
        t.addExternalData(entry("offset", Long.toString(offset)));
        t.addExternalData(entry("length", Long.toString(length)));
        offset += length;
      } else {
        t.setRawData(rawData(init, counter));
      }
      g.addInitializer(t);
    }
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .setProducerName(PRODUCER)
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

  private static ByteString rawData(Initializer init, Counter counter) {
    long size = init.byteSize();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("initializer " + init.name() + " has " + size
          + " bytes, too large to store inline; use WeightStorage.EXTERNAL");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    encode(init, buf, null, counter);
    return UnsafeByteOperations.unsafeWrap(buf.array());
  }

  private static long writeExternal(Initializer init, FileChannel ch, Counter counter) throws IOException {
    long chunkBytes = Math.min(init.elementCount(), CHUNK_ELEMENTS) * init.elementType().byteSize();
    ByteBuffer buf = ByteBuffer.allocate((int) Math.max(chunkBytes, 8)).order(ByteOrder.LITTLE_ENDIAN);
    encode(init, buf, ch, counter);
    return init.byteSize();
  }

  /**
   * Encodes the initializer's contents into {@code buf}; when {@code ch} is given, {@code buf} is a
   * chunk buffer flushed to {@code ch} whenever full.
   */
  private static void encode(Initializer init, ByteBuffer buf, FileChannel ch, Counter counter) {
    ElementType type = init.elementType();
    long n = init.elementCount();
    try {
      switch (init.values()) {
        case TensorValues.Floats f -> {
          float[] chunk = new float[(int) Math.min(n, CHUNK_ELEMENTS)];
          for (long start = 0; start < n; start += chunk.length) {
            int count = (int) Math.min(chunk.length, n - start);
            f.filler().fill(start, chunk, count);
            switch (type) {
              case FLOAT -> {
                buf.asFloatBuffer().put(chunk, 0, count);
                buf.position(buf.position() + count * Float.BYTES);
              }
              case FLOAT16 -> {
                for (int i = 0; i < count; i++) {
                  buf.putShort(Float.floatToFloat16(chunk[i]));
                }
              }
              case DOUBLE -> {
                for (int i = 0; i < count; i++) {
                  buf.putDouble(chunk[i]);
                }
              }
              default -> throw new IllegalStateException("float values for " + type);
            }
            flush(buf, ch);
            counter.add(init, (long) count * type.byteSize());
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
          counter.add(init, init.byteSize());
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

  /** Progress bookkeeping for one model file. */
  private static final class Counter {
    private final Path file;
    private final long total;
    private final WriteProgress progress;
    private long done;

    Counter(Path file, long total, WriteProgress progress) {
      this.file = file;
      this.total = total;
      this.progress = progress;
    }

    void add(Initializer init, long bytes) {
      done += bytes;
      progress.onProgress(file, done, total);
    }
  }
}
