package io.github.ldm4j.checkpoint.pickle.internal;

import java.math.BigInteger;

/** What the unpickler needs to know about the values it builds, without ever walking them. */
public final class Values {

  private Values() {}

  /** The nesting depth of a value: 0 for a scalar, 1 plus the deepest item's for a container. */
  public static int depth(Object v) {
    return switch (v) {
      case Tuple t -> t.depth();
      case PickleList l -> l.depth();
      case PickleDict d -> d.depth();
      case PickleSet s -> s.depth();
      case Instance i -> i.depth();
      case null, default -> 0;
    };
  }

  /**
   * How many values hashing or comparing {@code v} visits, or -1 when it is unhashable (a list,
   * dict or set, or a tuple or frozenset holding one), as in Python.
   */
  public static long keyWeight(Object v) {
    return switch (v) {
      case Tuple t -> t.weight();
      case PickleSet s -> s.weight();
      case PickleList l -> -1;
      case PickleDict d -> -1;
      case null, default -> 1;
    };
  }

  /** Python's name of the type of {@code v}, for messages (never the value itself). */
  public static String typeName(Object v) {
    return switch (v) {
      case null -> "None";
      case Boolean b -> "bool";
      case Long l -> "int";
      case BigInteger b -> "int";
      case Double d -> "float";
      case String s -> "str";
      case Bytes b -> "bytes";
      case Tuple t -> "tuple";
      case PickleList l -> "list";
      case PickleDict d -> "dict";
      case PickleSet s -> s.frozen() ? "frozenset" : "set";
      case PickleGlobal g -> "global " + g.qualifiedName();
      case Instance i -> "instance of " + i.global().qualifiedName();
      case StorageRef s -> "storage";
      case TensorRef t -> "tensor";
      default -> v.getClass().getSimpleName();
    };
  }

  /** An integer as the unpickler keeps it: a {@link Long} when it fits, else a {@link BigInteger}. */
  public static Object integer(BigInteger value) {
    return value.bitLength() < 64 ? (Object) value.longValue() : value;
  }

  /** The {@code long} value of a Python int (or bool), or {@code null} when it is not one or does not fit. */
  public static Long asLong(Object v) {
    return switch (v) {
      case Long l -> l;
      case Boolean b -> b ? 1L : 0L;
      case null, default -> null;
    };
  }
}
