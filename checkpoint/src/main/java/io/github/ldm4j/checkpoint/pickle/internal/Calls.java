package io.github.ldm4j.checkpoint.pickle.internal;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * What calling an allowed global ({@code REDUCE}, {@code NEWOBJ}, {@code INST}, {@code OBJ}) yields:
 * a plain value computed here from the arguments, following {@link AllowList.Role}. Nothing is ever
 * resolved or invoked in Python's sense.
 */
final class Calls {

  private final PickleLimits limits;

  Calls(PickleLimits limits) {
    this.limits = limits;
  }

  Object call(Object callable, Tuple args, PickleDict kwargs, String opcode) throws BadFormatException {
    if (!(callable instanceof PickleGlobal g)) {
      throw new BadFormatException(opcode + " on a " + Values.typeName(callable) + ": only allowed globals can be called");
    }
    AllowList.Entry entry = AllowList.entry(g);
    if (kwargs != null && !kwargs.isEmpty() && entry.role() != AllowList.Role.INERT) {
      throw new BadFormatException(opcode + " of " + g + " with keyword arguments");
    }
    List<Object> a = args.items();
    return switch (entry.role()) {
      case ORDERED_DICT -> orderedDict(g, a);
      case REBUILD_TENSOR -> rebuildTensor(g, a);
      case REBUILD_PARAMETER -> parameter(g, a, 3);
      case REBUILD_PARAMETER_WITH_STATE -> parameter(g, a, 4);
      case TORCH_SIZE -> torchSize(g, a);
      case SET -> set(g, a, false);
      case FROZENSET -> set(g, a, true);
      case CODECS_ENCODE -> encode(g, a);
      case NUMPY_SCALAR -> numpyScalar(g, args);
      case INERT -> new Instance(g, args, kwargs);
      case STORAGE_TYPE, REFERENCE ->
          throw new BadFormatException("global '" + g + "' is allowed only as a name, not called (" + opcode + ")");
    };
  }

  /** Adds {@code key: value} to {@code dict}, as {@code SETITEM} does. */
  void put(PickleDict dict, Object key, Object value) throws BadFormatException {
    long w = Values.keyWeight(key);
    if (w < 0) {
      throw new BadFormatException("unhashable dict key: " + Values.typeName(key));
    }
    if (w > limits.maxKeyWeight()) {
      throw new BadFormatException("dict key of " + w + " values exceeds the limit of " + limits.maxKeyWeight());
    }
    dict.put(key, value);
    noteDepth(dict, Math.max(Values.depth(key), Values.depth(value)));
  }

  /** Adds {@code element} to the mutable {@code set}, as {@code ADDITEMS} does. */
  void add(PickleSet set, Object element) throws BadFormatException {
    long w = Values.keyWeight(element);
    if (w < 0) {
      throw new BadFormatException("unhashable set element: " + Values.typeName(element));
    }
    if (w > limits.maxKeyWeight()) {
      throw new BadFormatException("set element of " + w + " values exceeds the limit of " + limits.maxKeyWeight());
    }
    set.add(element);
    checkDepth(set.depth());
  }

  /** Appends {@code item} to {@code list}, as {@code APPEND} does. */
  void append(PickleList list, Object item) throws BadFormatException {
    list.add(item);
    list.noteItemDepth(Values.depth(item));
    checkDepth(list.depth());
  }

  private void noteDepth(PickleDict dict, int itemDepth) throws BadFormatException {
    dict.noteItemDepth(itemDepth);
    checkDepth(dict.depth());
  }

  /** Refuses nesting deeper than the limit. */
  void checkDepth(int depth) throws BadFormatException {
    if (depth > limits.maxDepth()) {
      throw new BadFormatException("values nested deeper than the limit of " + limits.maxDepth() + " levels");
    }
  }

  private Object orderedDict(PickleGlobal g, List<Object> a) throws BadFormatException {
    PickleDict dict = new PickleDict();
    if (a.isEmpty()) {
      return dict;
    }
    if (a.size() > 1) {
      throw new BadFormatException(g + " called with " + a.size() + " arguments");
    }
    switch (a.getFirst()) {
      case PickleDict d -> {
        for (var e : d.entrySet()) {
          put(dict, e.getKey(), e.getValue());
        }
      }
      case PickleList l -> pairs(g, dict, l);
      case Tuple t -> pairs(g, dict, t.items());
      case null, default -> throw new BadFormatException(g + " of a " + Values.typeName(a.getFirst()));
    }
    return dict;
  }

  private void pairs(PickleGlobal g, PickleDict dict, List<Object> items) throws BadFormatException {
    for (Object item : items) {
      List<Object> pair = switch (item) {
        case Tuple t -> t.items();
        case PickleList l -> l;
        case null, default -> throw new BadFormatException(g + " of a sequence holding a " + Values.typeName(item));
      };
      if (pair.size() != 2) {
        throw new BadFormatException(g + " of a sequence holding a " + pair.size() + "-item pair");
      }
      put(dict, pair.get(0), pair.get(1));
    }
  }

  private static TensorRef rebuildTensor(PickleGlobal g, List<Object> a) throws BadFormatException {
    if (a.size() < 4 || a.size() > 7) {
      throw new BadFormatException(g + " called with " + a.size() + " arguments, expected 6 or 7");
    }
    if (!(a.get(0) instanceof StorageRef storage)) {
      throw new BadFormatException(g + ": argument 1 (storage) is a " + Values.typeName(a.get(0)) + ", expected a storage");
    }
    long offset = nonNegative(g, "argument 2 (storage offset)", a.get(1));
    long[] shape = longs(g, "argument 3 (size)", a.get(2));
    long[] stride = longs(g, "argument 4 (stride)", a.get(3));
    if (shape.length != stride.length) {
      throw new BadFormatException(g + ": size has " + shape.length + " dimensions, stride " + stride.length);
    }
    long elements = 1;
    for (long d : shape) {
      try {
        elements = Math.multiplyExact(elements, d);
      } catch (ArithmeticException e) {
        throw new BadFormatException(g + ": size overflows a 64-bit element count");
      }
    }
    return new TensorRef(storage, offset, shape, stride);
  }

  private static Object parameter(PickleGlobal g, List<Object> a, int arity) throws BadFormatException {
    if (a.size() != arity) {
      throw new BadFormatException(g + " called with " + a.size() + " arguments, expected " + arity);
    }
    if (!(a.getFirst() instanceof TensorRef t)) {
      throw new BadFormatException(g + ": argument 1 is a " + Values.typeName(a.getFirst()) + ", expected a tensor");
    }
    return t;
  }

  private static Object torchSize(PickleGlobal g, List<Object> a) throws BadFormatException {
    if (a.isEmpty()) {
      return Tuple.EMPTY;
    }
    if (a.size() == 1 && a.getFirst() instanceof Tuple t) {
      longs(g, "argument 1", t);
      return t;
    }
    throw new BadFormatException(g + " expects one tuple of ints");
  }

  private Object set(PickleGlobal g, List<Object> a, boolean frozen) throws BadFormatException {
    PickleSet set = new PickleSet();
    if (a.size() > 1) {
      throw new BadFormatException(g + " called with " + a.size() + " arguments");
    }
    if (a.size() == 1) {
      Iterable<Object> items = switch (a.getFirst()) {
        case PickleList l -> l;
        case Tuple t -> t.items();
        case PickleSet s -> s.items();
        case null, default -> throw new BadFormatException(g + " of a " + Values.typeName(a.getFirst()));
      };
      for (Object item : items) {
        add(set, item);
      }
    }
    if (frozen) {
      set.freeze();
    }
    return set;
  }

  private static Bytes encode(PickleGlobal g, List<Object> a) throws BadFormatException {
    if (a.isEmpty() || a.size() > 2 || !(a.getFirst() instanceof String s)) {
      throw new BadFormatException(g + " expects (str, encoding)");
    }
    String encoding = "utf-8";
    if (a.size() == 2) {
      if (!(a.get(1) instanceof String e)) {
        throw new BadFormatException(g + ": the encoding is a " + Values.typeName(a.get(1)));
      }
      encoding = e.toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return switch (encoding) {
      case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1" -> new Bytes(narrow(g, s, 0xFF));
      case "ascii", "us-ascii" -> new Bytes(narrow(g, s, 0x7F));
      case "utf-8", "utf8" -> new Bytes(s.getBytes(StandardCharsets.UTF_8));
      default -> throw new BadFormatException(g + ": encoding '" + encoding + "' is not supported");
    };
  }

  private static byte[] narrow(PickleGlobal g, String s, int max) throws BadFormatException {
    byte[] out = new byte[s.length()];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > max) {
        throw new BadFormatException(g + ": character U+" + Integer.toHexString(c) + " cannot be encoded");
      }
      out[i] = (byte) c;
    }
    return out;
  }

  /**
   * {@code numpy.core.multiarray.scalar(dtype, bytes)}: a number when the dtype is a plain numeric
   * one ({@code f8}, {@code i4}, {@code b1}, …), otherwise an inert instance.
   */
  private static Object numpyScalar(PickleGlobal g, Tuple args) throws BadFormatException {
    List<Object> a = args.items();
    if (a.size() == 2 && a.get(0) instanceof Instance dtype && a.get(1) instanceof Bytes data
        && dtype.global().name().equals("dtype") && dtype.args().size() >= 1 && dtype.args().get(0) instanceof String code) {
      ByteOrder order = ByteOrder.LITTLE_ENDIAN;
      if (dtype.state() instanceof Tuple state && state.size() >= 2 && ">".equals(state.get(1))) {
        order = ByteOrder.BIG_ENDIAN;
      }
      Object decoded = decodeScalar(code, data.toArray(), order);
      if (decoded != null) {
        return decoded;
      }
    }
    if (a.isEmpty() || a.size() > 2) {
      throw new BadFormatException(g + " called with " + a.size() + " arguments");
    }
    return new Instance(g, args, null);
  }

  private static Object decodeScalar(String code, byte[] bytes, ByteOrder order) {
    int size = switch (code) {
      case "f8", "i8", "u8" -> 8;
      case "f4", "i4", "u4" -> 4;
      case "f2", "i2", "u2" -> 2;
      case "i1", "u1", "b1" -> 1;
      default -> -1;
    };
    if (size != bytes.length) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
    return switch (code) {
      case "f8" -> b.getDouble();
      case "f4" -> (double) b.getFloat();
      case "f2" -> (double) Float.float16ToFloat(b.getShort());
      case "i8" -> b.getLong();
      case "i4" -> (long) b.getInt();
      case "i2" -> (long) b.getShort();
      case "i1" -> (long) b.get();
      case "u8" -> Values.integer(new BigInteger(Long.toUnsignedString(b.getLong())));
      case "u4" -> Integer.toUnsignedLong(b.getInt());
      case "u2" -> (long) Short.toUnsignedInt(b.getShort());
      case "u1" -> (long) Byte.toUnsignedInt(b.get());
      case "b1" -> b.get() != 0;
      default -> null;
    };
  }

  private static long nonNegative(PickleGlobal g, String what, Object v) throws BadFormatException {
    Long l = v instanceof Long x ? x : null;
    if (l == null || l < 0) {
      throw new BadFormatException(g + ": " + what + " is " + describe(v) + ", expected a non-negative int");
    }
    return l;
  }

  private static long[] longs(PickleGlobal g, String what, Object v) throws BadFormatException {
    if (!(v instanceof Tuple t)) {
      throw new BadFormatException(g + ": " + what + " is a " + Values.typeName(v) + ", expected a tuple of ints");
    }
    long[] out = new long[t.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = nonNegative(g, what + " item " + i, t.get(i));
    }
    return out;
  }

  private static String describe(Object v) {
    return v instanceof Long l ? l.toString() : "a " + Values.typeName(v);
  }
}
