package io.github.ldm4j.export.onnx;

import java.util.Arrays;
import java.util.Objects;

/** A node attribute: a name and one int, float, string, int list or float list. */
public sealed interface Attribute {

  /** The attribute name. */
  String name();

  /** An {@code INT} attribute. */
  record IntAttr(String name, long value) implements Attribute {
    /** Rejects a null name. */
    public IntAttr {
      Objects.requireNonNull(name, "name");
    }
  }

  /** A {@code FLOAT} attribute. */
  record FloatAttr(String name, float value) implements Attribute {
    /** Rejects a null name. */
    public FloatAttr {
      Objects.requireNonNull(name, "name");
    }
  }

  /** A {@code STRING} attribute (UTF-8). */
  record StringAttr(String name, String value) implements Attribute {
    /** Rejects nulls. */
    public StringAttr {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  /** An {@code INTS} attribute. */
  record IntsAttr(String name, long[] values) implements Attribute {
    /** Copies the values. */
    public IntsAttr {
      Objects.requireNonNull(name, "name");
      values = values.clone();
    }

    /** A copy of the values. */
    @Override
    public long[] values() {
      return values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IntsAttr other && name.equals(other.name) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return name + "=" + Arrays.toString(values);
    }
  }

  /** A {@code FLOATS} attribute. */
  record FloatsAttr(String name, float[] values) implements Attribute {
    /** Copies the values. */
    public FloatsAttr {
      Objects.requireNonNull(name, "name");
      values = values.clone();
    }

    /** A copy of the values. */
    @Override
    public float[] values() {
      return values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FloatsAttr other && name.equals(other.name) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return name + "=" + Arrays.toString(values);
    }
  }

  /** An int attribute. */
  static Attribute of(String name, long value) {
    return new IntAttr(name, value);
  }

  /** A float attribute. */
  static Attribute of(String name, float value) {
    return new FloatAttr(name, value);
  }

  /** A string attribute. */
  static Attribute of(String name, String value) {
    return new StringAttr(name, value);
  }

  /** An int-list attribute. */
  static Attribute ints(String name, long... values) {
    return new IntsAttr(name, values);
  }

  /** A float-list attribute. */
  static Attribute floats(String name, float... values) {
    return new FloatsAttr(name, values);
  }
}
