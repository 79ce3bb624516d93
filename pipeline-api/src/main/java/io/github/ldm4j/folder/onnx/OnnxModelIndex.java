package io.github.ldm4j.folder.onnx;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The graph of an ONNX model file as far as ldm4j needs to read it outside ONNX Runtime: nodes
 * (operator, inputs, outputs, {@code epsilon}), graph outputs, and float initializers decoded on
 * request — from {@code raw_data}, {@code float_data}, {@code int32_data} (float16), {@code
 * double_data} or external data files. The file is memory-mapped for the duration of {@link
 * #read} only; weights that are not asked for are never touched.
 */
public final class OnnxModelIndex {

  /** ONNX {@code TensorProto.DataType} values this reader decodes. */
  private static final int FLOAT = 1;
  private static final int FLOAT16 = 10;
  private static final int INT8 = 3;
  private static final int DOUBLE = 11;
  private static final int BFLOAT16 = 16;

  /**
   * One graph node.
   *
   * @param opType the operator
   * @param inputs input value names ("" for an omitted optional input)
   * @param outputs output value names
   * @param epsilon the float attribute {@code epsilon}, when the node has one
   */
  public record Node(String opType, List<String> inputs, List<String> outputs, OptionalDouble epsilon) {
    /** Copies the lists. */
    public Node {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  /** A tensor's location inside the mapped file, decoded on request. */
  private record TensorRef(String name, int dataType, long[] dims, MemorySegment raw, MemorySegment floatData,
      MemorySegment int32Data, MemorySegment doubleData, Map<String, String> external) {}

  /** What a reader does with the index while the file is mapped. */
  @FunctionalInterface
  public interface Query<T> {
    /** Reads what is needed from {@code index}. */
    T apply(OnnxModelIndex index) throws IOException;
  }

  private final Path file;
  private final List<Node> nodes = new ArrayList<>();
  private final List<String> graphOutputs = new ArrayList<>();
  private final Map<String, TensorRef> initializers = new LinkedHashMap<>();
  private final Map<String, TensorRef> constants = new HashMap<>();

  private OnnxModelIndex(Path file) {
    this.file = file;
  }

  /**
   * Maps {@code file}, indexes its graph and runs {@code query} on it; the mapping is released
   * before this returns, so {@code query} must copy out what it keeps (as {@link #floats} does).
   *
   * @throws IOException when the file cannot be read or is not an ONNX model (names the file)
   */
  public static <T> T read(Path file, Query<T> query) throws IOException {
    try (Arena arena = Arena.ofConfined();
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      OnnxModelIndex index = new OnnxModelIndex(file);
      try {
        index.parseModel(new ProtoReader(data));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + " is not a readable ONNX model: " + e.getMessage(), e);
      }
      return query.apply(index);
    }
  }

  /** The model file. */
  public Path file() {
    return file;
  }

  /** The graph's nodes in file order. */
  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** The graph's output names in order. */
  public List<String> graphOutputs() {
    return List.copyOf(graphOutputs);
  }

  /** The names of the graph's initializers, in file order. */
  public List<String> initializerNames() {
    return List.copyOf(initializers.keySet());
  }

  /** Whether the graph has an initializer (or {@code Constant} node output) named {@code name}. */
  public boolean hasTensor(String name) {
    return initializers.containsKey(name) || constants.containsKey(name);
  }

  /** The node whose outputs include {@code value}, if any. */
  public Optional<Node> producer(String value) {
    for (Node n : nodes) {
      if (n.outputs().contains(value)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  /** The nodes that take {@code value} as an input. */
  public List<Node> consumers(String value) {
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n.inputs().contains(value)) {
        out.add(n);
      }
    }
    return out;
  }

  /** The dimensions of the initializer or {@code Constant} node output named {@code name}, if there is one. */
  public Optional<long[]> dims(String name) {
    TensorRef t = initializers.containsKey(name) ? initializers.get(name) : constants.get(name);
    return t == null ? Optional.empty() : Optional.of(t.dims().clone());
  }

  /** Whether the initializer or {@code Constant} node output named {@code name} is float16. */
  public boolean isFloat16(String name) {
    TensorRef t = initializers.containsKey(name) ? initializers.get(name) : constants.get(name);
    return t != null && t.dataType() == FLOAT16;
  }

  /** Whether the initializer or {@code Constant} node output named {@code name} is int8 (a quantized weight). */
  public boolean isInt8(String name) {
    TensorRef t = initializers.containsKey(name) ? initializers.get(name) : constants.get(name);
    return t != null && t.dataType() == INT8;
  }

  /**
   * The float values (float32, float16, bfloat16 or double, converted to float) of the initializer
   * or {@code Constant} node output named {@code name}, flattened; empty when there is no such
   * tensor.
   *
   * @throws IOException when the tensor is not a float tensor or its data cannot be read
   */
  public Optional<float[]> floats(String name) throws IOException {
    TensorRef t = initializers.containsKey(name) ? initializers.get(name) : constants.get(name);
    if (t == null) {
      return Optional.empty();
    }
    return Optional.of(decode(t));
  }

  /**
   * Where an initializer's values lie in an external data file.
   *
   * @param name the initializer
   * @param dataType its ONNX {@code TensorProto.DataType}
   * @param dims its dimensions
   * @param file the external data file (resolved against the model's folder)
   * @param offset the byte offset of its values in {@code file}
   * @param length their byte count
   */
  public record ExternalTensor(String name, int dataType, long[] dims, Path file, long offset, long length) {
    /** Copies the dimensions. */
    public ExternalTensor {
      dims = dims.clone();
    }

    /** A copy of the dimensions. */
    @Override
    public long[] dims() {
      return dims.clone();
    }
  }

  /**
   * The initializers whose values are in external data files, in file order.
   *
   * @throws IOException naming the tensor when its location, offset or length is malformed
   */
  public List<ExternalTensor> externalInitializers() throws IOException {
    List<ExternalTensor> out = new ArrayList<>();
    for (TensorRef t : initializers.values()) {
      if (t.external().isEmpty()) {
        continue;
      }
      String location = t.external().get("location");
      if (location == null) {
        throw new IOException(file + ": tensor " + t.name() + " has external data without a location");
      }
      long length = parseLong(t, "length", -1);
      if (length < 0) {
        throw new IOException(file + ": tensor " + t.name() + " has external data without a length");
      }
      out.add(new ExternalTensor(t.name(), t.dataType(), t.dims(), file.resolveSibling(location).normalize(),
          parseLong(t, "offset", 0), length));
    }
    return out;
  }

  // ------------------------------------------------------------------ decoding

  private float[] decode(TensorRef t) throws IOException {
    long count = 1;
    for (long d : t.dims()) {
      count = Math.multiplyExact(count, d);
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new IOException(file + ": tensor " + t.name() + " has " + count + " elements, too many to read");
    }
    int n = (int) count;
    int width = switch (t.dataType()) {
      case FLOAT -> 4;
      case FLOAT16, BFLOAT16 -> 2;
      case DOUBLE -> 8;
      default -> throw new IOException(
          file + ": tensor " + t.name() + " has ONNX data type " + t.dataType() + ", expected a float type");
    };
    MemorySegment raw = t.raw();
    if (!t.external().isEmpty()) {
      raw = readExternal(t, (long) n * width);
    }
    float[] out = new float[n];
    if (raw != null) {
      if (raw.byteSize() != (long) n * width) {
        throw new IOException(file + ": tensor " + t.name() + " holds " + raw.byteSize() + " bytes, expected "
            + (long) n * width + " for " + n + " elements");
      }
      for (int i = 0; i < n; i++) {
        out[i] = switch (t.dataType()) {
          case FLOAT -> raw.get(LE_FLOAT, (long) i * 4);
          case FLOAT16 -> Float.float16ToFloat(raw.get(LE_SHORT, (long) i * 2));
          case BFLOAT16 -> Float.intBitsToFloat((raw.get(LE_SHORT, (long) i * 2) & 0xffff) << 16);
          default -> (float) raw.get(LE_DOUBLE, (long) i * 8);
        };
      }
      return out;
    }
    int filled = switch (t.dataType()) {
      case FLOAT -> packedFixed32(t.floatData(), out);
      case FLOAT16, BFLOAT16 -> packedHalves(t.int32Data(), out, t.dataType() == BFLOAT16);
      default -> packedDoubles(t.doubleData(), out);
    };
    if (filled != n) {
      throw new IOException(file + ": tensor " + t.name() + " holds " + filled + " values, expected " + n);
    }
    return out;
  }

  private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private static int packedFixed32(MemorySegment s, float[] out) {
    if (s == null) {
      return 0;
    }
    int n = (int) Math.min(out.length, s.byteSize() / 4);
    for (int i = 0; i < n; i++) {
      out[i] = s.get(LE_FLOAT, (long) i * 4);
    }
    return (int) (s.byteSize() / 4);
  }

  private static int packedDoubles(MemorySegment s, float[] out) {
    if (s == null) {
      return 0;
    }
    int n = (int) Math.min(out.length, s.byteSize() / 8);
    for (int i = 0; i < n; i++) {
      out[i] = (float) s.get(LE_DOUBLE, (long) i * 8);
    }
    return (int) (s.byteSize() / 8);
  }

  private static int packedHalves(MemorySegment s, float[] out, boolean bfloat) {
    if (s == null) {
      return 0;
    }
    ProtoReader r = new ProtoReader(s);
    int i = 0;
    while (r.hasMore()) {
      int bits = (int) r.varint() & 0xffff;
      if (i < out.length) {
        out[i] = bfloat ? Float.intBitsToFloat(bits << 16) : Float.float16ToFloat((short) bits);
      }
      i++;
    }
    return i;
  }

  private MemorySegment readExternal(TensorRef t, long expectedBytes) throws IOException {
    String location = t.external().get("location");
    if (location == null) {
      throw new IOException(file + ": tensor " + t.name() + " has external data without a location");
    }
    Path data = file.toAbsolutePath().getParent().resolve(location).normalize();
    long offset = parseLong(t, "offset", 0);
    long length = parseLong(t, "length", expectedBytes);
    if (length > Integer.MAX_VALUE - 8) {
      throw new IOException(file + ": tensor " + t.name() + " has " + length + " bytes of external data, too many to read");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) length);
    try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
      while (buf.hasRemaining()) {
        if (ch.read(buf, offset + buf.position()) < 0) {
          throw new IOException(data + " ends before the " + length + " bytes of " + t.name() + " at offset " + offset);
        }
      }
    }
    return MemorySegment.ofArray(buf.array());
  }

  private long parseLong(TensorRef t, String key, long absent) throws IOException {
    String v = t.external().get(key);
    if (v == null) {
      return absent;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IOException(file + ": tensor " + t.name() + " has external-data " + key + " '" + v + "'", e);
    }
  }

  // ------------------------------------------------------------------ parsing (onnx.proto field numbers)

  private void parseModel(ProtoReader r) {
    boolean sawGraph = false;
    while (r.next()) {
      if (r.field() == 7 && r.wireType() == ProtoReader.LEN) { // ModelProto.graph
        parseGraph(r.message());
        sawGraph = true;
      } else {
        r.skip();
      }
    }
    if (!sawGraph) {
      throw new IllegalArgumentException("no graph in the model");
    }
  }

  private void parseGraph(ProtoReader r) {
    while (r.next()) {
      switch (r.field()) {
        case 1 -> parseNode(r.message()); // node
        case 5 -> { // initializer
          TensorRef t = parseTensor(r.message());
          initializers.put(t.name(), t);
        }
        case 12 -> graphOutputs.add(valueInfoName(r.message())); // output
        default -> r.skip();
      }
    }
  }

  private static String valueInfoName(ProtoReader r) {
    String name = "";
    while (r.next()) {
      if (r.field() == 1) {
        name = r.string();
      } else {
        r.skip();
      }
    }
    return name;
  }

  private void parseNode(ProtoReader r) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String op = "";
    OptionalDouble eps = OptionalDouble.empty();
    TensorRef value = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> inputs.add(r.string());
        case 2 -> outputs.add(r.string());
        case 4 -> op = r.string();
        case 5 -> { // attribute
          ProtoReader a = r.message();
          String name = "";
          Float f = null;
          TensorRef t = null;
          while (a.next()) {
            switch (a.field()) {
              case 1 -> name = a.string();
              case 2 -> {
                if (a.wireType() == ProtoReader.FIXED32) {
                  f = Float.intBitsToFloat(a.fixed32());
                } else {
                  a.skip();
                }
              }
              case 5 -> t = parseTensor(a.message());
              default -> a.skip();
            }
          }
          if (name.equals("epsilon") && f != null) {
            eps = OptionalDouble.of(f);
          } else if (name.equals("value") && t != null) {
            value = t;
          }
        }
        default -> r.skip();
      }
    }
    nodes.add(new Node(op, inputs, outputs, eps));
    if (op.equals("Constant") && value != null && outputs.size() == 1) {
      constants.put(outputs.getFirst(), value);
    }
  }

  private static TensorRef parseTensor(ProtoReader r) {
    List<Long> dims = new ArrayList<>();
    int dataType = 0;
    String name = "";
    MemorySegment raw = null;
    MemorySegment floatData = null;
    MemorySegment int32Data = null;
    MemorySegment doubleData = null;
    Map<String, String> external = new HashMap<>();
    List<Float> looseFloats = null;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> { // dims, packed or not
          if (r.wireType() == ProtoReader.LEN) {
            ProtoReader p = r.message();
            while (p.hasMore()) {
              dims.add(p.varint());
            }
          } else {
            dims.add(r.varint());
          }
        }
        case 2 -> dataType = (int) r.varint();
        case 4 -> { // float_data, packed or (rarely) one value per field
          if (r.wireType() == ProtoReader.LEN) {
            floatData = r.bytes();
          } else {
            if (looseFloats == null) {
              looseFloats = new ArrayList<>();
            }
            looseFloats.add(Float.intBitsToFloat(r.fixed32()));
          }
        }
        case 5 -> int32Data = r.wireType() == ProtoReader.LEN ? r.bytes() : skipNull(r);
        case 8 -> name = r.string();
        case 9 -> raw = r.bytes();
        case 10 -> doubleData = r.wireType() == ProtoReader.LEN ? r.bytes() : skipNull(r);
        case 13 -> { // external_data: StringStringEntryProto
          ProtoReader e = r.message();
          String k = null;
          String v = null;
          while (e.next()) {
            switch (e.field()) {
              case 1 -> k = e.string();
              case 2 -> v = e.string();
              default -> e.skip();
            }
          }
          if (k != null && v != null) {
            external.put(k, v);
          }
        }
        default -> r.skip();
      }
    }
    if (looseFloats != null) {
      ByteBuffer le = ByteBuffer.allocate(4 * looseFloats.size()).order(ByteOrder.LITTLE_ENDIAN);
      looseFloats.forEach(le::putFloat);
      floatData = MemorySegment.ofArray(le.array());
    }
    long[] d = new long[dims.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = dims.get(i);
    }
    return new TensorRef(name, dataType, d, raw, floatData, int32Data, doubleData, Map.copyOf(external));
  }

  private static MemorySegment skipNull(ProtoReader r) {
    r.skip();
    return null;
  }
}
