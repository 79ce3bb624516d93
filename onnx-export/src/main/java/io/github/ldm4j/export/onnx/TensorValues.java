package io.github.ldm4j.export.onnx;

import java.util.Objects;

/**
 * The contents of an initializer, produced only when the model is written, so that a graph with
 * billions of parameters can be built and inspected (shapes, counts) without materialising them.
 */
public sealed interface TensorValues {

  /**
   * Floating-point contents, computed on demand in chunks; stored as the initializer's element
   * type (FLOAT, FLOAT16 or DOUBLE) when written, or as INT8 for quantized weights, whose filler
   * produces integral values in [-128, 127] (the writer rejects any other value).
   *
   * @param filler the source of values
   */
  record Floats(FloatFiller filler) implements TensorValues {
    /** Rejects a null filler. */
    public Floats {
      Objects.requireNonNull(filler, "filler");
    }
  }

  /**
   * Integer contents held in memory (shape vectors, axes, indices); stored as INT64, INT32, UINT8
   * or BOOL.
   *
   * @param values the values, copied
   */
  record Longs(long[] values) implements TensorValues {
    /** Copies the values. */
    public Longs {
      values = values.clone();
    }

    /** A copy of the values. */
    @Override
    public long[] values() {
      return values.clone();
    }

    long get(int i) {
      return values[i];
    }

    int length() {
      return values.length;
    }
  }

  /**
   * Produces float values by element index: fills {@code dst[0..count)} with elements {@code
   * start..start+count)}. A writer may call it for disjoint ranges in any order and from several
   * threads at once, so the values must depend on the index only (as seeded or checkpoint weights do).
   */
  @FunctionalInterface
  interface FloatFiller {
    /**
     * Writes elements {@code start} to {@code start + count - 1} (row-major order) into {@code dst}.
     *
     * @param start index of the first element
     * @param dst destination
     * @param count number of elements to write, at most {@code dst.length}
     */
    void fill(long start, float[] dst, int count);
  }

  /** Values held in a float array (copied). */
  static TensorValues of(float... values) {
    float[] copy = values.clone();
    return new Floats((start, dst, count) -> System.arraycopy(copy, (int) start, dst, 0, count));
  }

  /** Integer values (copied). */
  static TensorValues ofLongs(long... values) {
    return new Longs(values);
  }

  /** The same float value everywhere. */
  static TensorValues constant(float value) {
    return new Floats((start, dst, count) -> java.util.Arrays.fill(dst, 0, count, value));
  }
}
