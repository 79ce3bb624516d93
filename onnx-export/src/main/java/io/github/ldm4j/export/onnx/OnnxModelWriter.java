package io.github.ldm4j.export.onnx;

import io.github.ldm4j.export.onnx.internal.OnnxFields;
import io.github.ldm4j.export.onnx.internal.ProtoWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Serialises an {@link OnnxGraph} as an ONNX {@code ModelProto} (IR version 8, default-domain opset
 * {@link GraphBuilder#OPSET}) with a hand-written protobuf encoder (the package {@code
 * export.onnx.internal}; byte for byte what protobuf-java writes for the same message). Initializer
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

  /** One chunk of float values per writing thread (no garbage per chunk: converting a checkpoint would grow the heap by gigabytes). */
  private static final ThreadLocal<float[]> CHUNKS = ThreadLocal.withInitial(() -> new float[CHUNK_ELEMENTS]);

  /** What a {@link Placement} answers for an initializer stored inside the model. */
  private static final long INLINE = -1;

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
      ProtoWriter model;
      if (external) {
        writeExternalData(graph.initializers().stream().filter(OnnxModelWriter::isExternal).toList(), dataFile, counter);
        Placement toFile = init -> isExternal(init) ? init.byteSize() : INLINE;
        model = toProto(graph, EXTERNAL_DATA_FILE, toFile, counter);
      } else {
        Files.deleteIfExists(dataFile);
        model = toProto(graph, null, init -> INLINE, counter);
      }
      if (model.size() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("ONNX model " + modelFile + " would be " + model.size()
            + " bytes, over protobuf's 2 GiB limit; use WeightStorage.EXTERNAL or AUTO");
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
      return toProto(graph, null, init -> INLINE, new Counter(null, graph.initializerBytes(), WriteProgress.NONE))
          .toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decides, for each initializer in graph order, whether its contents are external. */
  @FunctionalInterface
  private interface Placement {
    /**
     * {@link #INLINE}, or the byte length of {@code init}'s external data (after storing it, where
     * there is somewhere to store it).
     */
    long external(Initializer init) throws IOException;
  }

  /**
   * Encodes the model. Fields go in field-number order, as protobuf-java writes them (the graph's
   * name after its nodes, its initializers before its inputs); initializer values are produced in
   * graph order, inline ones into {@code raw_data} arrays that the returned writer references.
   */
  private static ProtoWriter toProto(OnnxGraph graph, String location, Placement placement, Counter counter)
      throws IOException {
    ProtoWriter g = new ProtoWriter();
    for (Node node : graph.nodes()) {
      g.message(OnnxFields.Graph.NODE, node(node));
    }
    g.string(OnnxFields.Graph.NAME, graph.name());
    long offset = 0;
    for (Initializer init : graph.initializers()) {
      ProtoWriter t = new ProtoWriter();
      for (long d : init.dims()) {
        t.int64(OnnxFields.Tensor.DIMS, d);
      }
      t.int64(OnnxFields.Tensor.DATA_TYPE, init.elementType().onnxCode());
      t.string(OnnxFields.Tensor.NAME, init.name());
      long length = placement.external(init);
      if (length == INLINE) {
        t.bytes(OnnxFields.Tensor.RAW_DATA, rawData(init, counter));
      } else {
        t.message(OnnxFields.Tensor.EXTERNAL_DATA, entry("location", location));
        t.message(OnnxFields.Tensor.EXTERNAL_DATA, entry("offset", Long.toString(offset)));
        t.message(OnnxFields.Tensor.EXTERNAL_DATA, entry("length", Long.toString(length)));
        t.int64(OnnxFields.Tensor.DATA_LOCATION, OnnxFields.Tensor.LOCATION_EXTERNAL);
        offset += length;
      }
      g.message(OnnxFields.Graph.INITIALIZER, t);
    }
    for (GraphIO in : graph.inputs()) {
      g.message(OnnxFields.Graph.INPUT, valueInfo(in));
    }
    for (GraphIO out : graph.outputs()) {
      g.message(OnnxFields.Graph.OUTPUT, valueInfo(out));
    }
    return new ProtoWriter()
        .int64(OnnxFields.Model.IR_VERSION, IR_VERSION)
        .string(OnnxFields.Model.PRODUCER_NAME, PRODUCER)
        .string(OnnxFields.Model.PRODUCER_VERSION, "1")
        .message(OnnxFields.Model.GRAPH, g)
        .message(OnnxFields.Model.OPSET_IMPORT, new ProtoWriter()
            .string(OnnxFields.OperatorSetId.DOMAIN, "")
            .int64(OnnxFields.OperatorSetId.VERSION, graph.opsetVersion()));
  }

  private static ProtoWriter node(Node node) {
    ProtoWriter b = new ProtoWriter();
    node.inputs().forEach(v -> b.string(OnnxFields.Node.INPUT, v.name()));
    node.outputs().forEach(v -> b.string(OnnxFields.Node.OUTPUT, v.name()));
    b.string(OnnxFields.Node.NAME, node.name());
    b.string(OnnxFields.Node.OP_TYPE, node.opType());
    for (Attribute a : node.attributes()) {
      b.message(OnnxFields.Node.ATTRIBUTE, attribute(a));
    }
    if (!node.domain().isEmpty()) {
      b.string(OnnxFields.Node.DOMAIN, node.domain());
    }
    return b;
  }

  /** An attribute: name, its one value (written even when 0), type. */
  private static ProtoWriter attribute(Attribute a) {
    ProtoWriter b = new ProtoWriter().string(OnnxFields.Attribute.NAME, a.name());
    int type = switch (a) {
      case Attribute.FloatAttr f -> {
        b.float32(OnnxFields.Attribute.F, f.value());
        yield OnnxFields.Attribute.TYPE_FLOAT;
      }
      case Attribute.IntAttr i -> {
        b.int64(OnnxFields.Attribute.I, i.value());
        yield OnnxFields.Attribute.TYPE_INT;
      }
      case Attribute.StringAttr s -> {
        b.string(OnnxFields.Attribute.S, s.value());
        yield OnnxFields.Attribute.TYPE_STRING;
      }
      case Attribute.FloatsAttr fs -> {
        for (float v : fs.values()) {
          b.float32(OnnxFields.Attribute.FLOATS, v);
        }
        yield OnnxFields.Attribute.TYPE_FLOATS;
      }
      case Attribute.IntsAttr is -> {
        for (long v : is.values()) {
          b.int64(OnnxFields.Attribute.INTS, v);
        }
        yield OnnxFields.Attribute.TYPE_INTS;
      }
    };
    return b.int64(OnnxFields.Attribute.TYPE, type);
  }

  private static ProtoWriter valueInfo(GraphIO io) {
    ProtoWriter shape = new ProtoWriter();
    for (Dim d : io.type().dims()) {
      ProtoWriter dim = new ProtoWriter();
      if (d.isSymbolic()) {
        dim.string(OnnxFields.Dimension.DIM_PARAM, d.symbol());
      } else {
        dim.int64(OnnxFields.Dimension.DIM_VALUE, d.size());
      }
      shape.message(OnnxFields.TensorShape.DIM, dim);
    }
    ProtoWriter tensor = new ProtoWriter()
        .int64(OnnxFields.TensorType.ELEM_TYPE, io.type().elementType().onnxCode())
        .message(OnnxFields.TensorType.SHAPE, shape);
    return new ProtoWriter()
        .string(OnnxFields.ValueInfo.NAME, io.name())
        .message(OnnxFields.ValueInfo.TYPE, new ProtoWriter().message(OnnxFields.Type.TENSOR_TYPE, tensor));
  }

  private static ProtoWriter entry(String key, String value) {
    return new ProtoWriter()
        .string(OnnxFields.StringStringEntry.KEY, key)
        .string(OnnxFields.StringStringEntry.VALUE, value);
  }

  private static byte[] rawData(Initializer init, Counter counter) {
    long size = init.byteSize();
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("initializer " + init.name() + " has " + size
          + " bytes, too large to store inline; use WeightStorage.EXTERNAL");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    encode(init, buf, counter);
    return buf.array();
  }

  /** Whether {@link #write}'s external mode stores {@code init} in {@link #EXTERNAL_DATA_FILE}. */
  private static boolean isExternal(Initializer init) {
    return init.byteSize() >= EXTERNAL_MIN_BYTES;
  }

  /**
   * Writes the contents of {@code external} back to back, in order, into {@code dataFile}: its chunks
   * (at most {@link #CHUNK_ELEMENTS} elements of one initializer) are produced and written in
   * parallel, each at its own offset (positional writes from one direct buffer per thread; a mapped
   * output was as fast but counted the written gigabytes in the process's resident memory), so
   * converting a multi-gigabyte checkpoint uses every core. The bytes are those of a sequential
   * write. {@link TensorValues.FloatFiller}s are called concurrently for disjoint ranges.
   */
  private static void writeExternalData(List<Initializer> external, Path dataFile, Counter counter) throws IOException {
    record Chunk(Initializer init, long at, long start, int count) {}
    List<Chunk> chunks = new ArrayList<>();
    long at = 0;
    for (Initializer init : external) {
      long n = init.elementCount();
      int size = init.elementType().byteSize();
      if (init.values() instanceof TensorValues.Floats) {
        for (long start = 0; start < n; start += CHUNK_ELEMENTS) {
          int count = (int) Math.min(CHUNK_ELEMENTS, n - start);
          chunks.add(new Chunk(init, at + start * size, start, count));
        }
      } else {
        chunks.add(new Chunk(init, at, 0, (int) n));
      }
      at += init.byteSize();
    }
    Files.deleteIfExists(dataFile);
    try (FileChannel ch = FileChannel.open(dataFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() ->
          ByteBuffer.allocateDirect(CHUNK_ELEMENTS * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN));
      chunks.parallelStream().forEach(c -> {
        long bytes = (long) c.count() * c.init().elementType().byteSize();
        ByteBuffer buf = bytes <= CHUNK_ELEMENTS * Double.BYTES ? buffers.get().clear()
            : ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        if (c.init().values() instanceof TensorValues.Floats) {
          encodeFloats(c.init(), c.start(), c.count(), buf);
        } else {
          encode(c.init(), buf, Counter.NONE);
        }
        buf.flip();
        try {
          for (long pos = c.at(); buf.hasRemaining(); ) {
            pos += ch.write(buf, pos);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + dataFile, e);
        }
        counter.add(c.init(), bytes);
      });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Elements {@code start..start+count)} of a float initializer, encoded into {@code buf} at its position. */
  private static void encodeFloats(Initializer init, long start, int count, ByteBuffer buf) {
    float[] chunk = CHUNKS.get();
    ((TensorValues.Floats) init.values()).filler().fill(start, chunk, count);
    encodeChunk(init.elementType(), chunk, count, buf);
  }

  /**
   * Encodes {@code init}'s contents into {@code buf} at its position, as {@link #write} stores them
   * (little-endian, the initializer's element type; {@code buf} must be little-endian with {@link
   * Initializer#byteSize()} bytes left): the bytes a weight given to a runtime in place of the
   * file's must have to be the file's.
   */
  public static void encodeValues(Initializer init, ByteBuffer buf) {
    if (buf.order() != ByteOrder.LITTLE_ENDIAN || buf.remaining() < init.byteSize()) {
      throw new IllegalArgumentException("initializer " + init.name() + " needs a little-endian buffer with "
          + init.byteSize() + " bytes left, got " + buf.order() + " with " + buf.remaining());
    }
    encode(init, buf, Counter.NONE);
  }

  /** Encodes all of the initializer's contents into {@code buf} at its position. */
  private static void encode(Initializer init, ByteBuffer buf, Counter counter) {
    ElementType type = init.elementType();
    long n = init.elementCount();
    switch (init.values()) {
      case TensorValues.Floats f -> {
        float[] chunk = CHUNKS.get();
        for (long start = 0; start < n; start += chunk.length) {
          int count = (int) Math.min(chunk.length, n - start);
          f.filler().fill(start, chunk, count);
          encodeChunk(type, chunk, count, buf);
          counter.add(init, (long) count * type.byteSize());
        }
      }
      case TensorValues.Longs l -> {
        for (int i = 0; i < l.length(); i++) {
          long v = l.get(i);
          switch (type) {
            case INT64 -> buf.putLong(v);
            case INT32 -> buf.putInt(Math.toIntExact(v));
            case UINT8, INT8, BOOL -> buf.put((byte) v);
            default -> throw new IllegalStateException("integer values for " + type);
          }
        }
        counter.add(init, init.byteSize());
      }
    }
  }

  /** {@code chunk[0..count)} as little-endian {@code type} values into {@code buf} at its position. */
  private static void encodeChunk(ElementType type, float[] chunk, int count, ByteBuffer buf) {
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
      case INT8 -> {
        for (int i = 0; i < count; i++) {
          float v = chunk[i];
          if (!(v >= -128 && v <= 127) || v != Math.rint(v)) {
            throw new IllegalStateException("INT8 initializer value " + v + " is not an integer in [-128, 127]");
          }
          buf.put((byte) v);
        }
      }
      default -> throw new IllegalStateException("float values for " + type);
    }
  }

  /** Progress bookkeeping for one model file. */
  private static final class Counter {
    /** Counts nothing, reports nothing. */
    static final Counter NONE = new Counter(null, 0, WriteProgress.NONE);

    private final Path file;
    private final long total;
    private final WriteProgress progress;
    private long done;

    Counter(Path file, long total, WriteProgress progress) {
      this.file = file;
      this.total = total;
      this.progress = progress;
    }

    synchronized void add(Initializer init, long bytes) {
      if (this == NONE) {
        return;
      }
      done += bytes;
      progress.onProgress(file, done, total);
    }
  }
}
