package io.github.ldm4j.export.sd.internal;

import io.github.ldm4j.export.onnx.TensorValues;

/**
 * Symmetric per-channel int8 quantization of one weight, computed lazily from its float source
 * when the model is written: {@code scale[c] = max|w| over channel c / 127} (1 for an all-zero
 * channel) and {@code q = round(w / scale[c])} in [-127, 127], so that {@code DequantizeLinear(q,
 * scale, axis)} gives the weight back within half a step ({@code scale[c] / 2}) per element.
 * The scales are computed once (one pass over the source) and kept: one float per channel.
 */
final class Int8Weight {

  private static final int CHUNK = 1 << 16;

  private final TensorValues.FloatFiller source;
  private final long elements;
  private final long channels;
  private final long inner;
  private volatile float[] scales;

  /**
   * @param source the float weight, row-major over {@code dims}
   * @param dims its dimensions
   * @param axis the channel axis (0 for a convolution's output channels, 1 for a linear weight held [in, out])
   */
  Int8Weight(TensorValues.FloatFiller source, long[] dims, int axis) {
    this.source = source;
    long n = 1;
    long after = 1;
    for (int i = 0; i < dims.length; i++) {
      n *= dims[i];
      if (i > axis) {
        after *= dims[i];
      }
    }
    this.elements = n;
    this.channels = dims[axis];
    this.inner = after;
  }

  private int channel(long element) {
    return (int) ((element / inner) % channels);
  }

  /** The per-channel scales (computed on first use). */
  float[] scales() {
    float[] s = scales;
    if (s == null) {
      synchronized (this) {
        s = scales;
        if (s == null) {
          s = computeScales();
          scales = s;
        }
      }
    }
    return s;
  }

  private float[] computeScales() {
    float[] max = new float[(int) channels];
    float[] chunk = new float[CHUNK];
    for (long start = 0; start < elements; start += CHUNK) {
      int count = (int) Math.min(CHUNK, elements - start);
      source.fill(start, chunk, count);
      for (int i = 0; i < count; i++) {
        int c = channel(start + i);
        max[c] = Math.max(max[c], Math.abs(chunk[i]));
      }
    }
    for (int c = 0; c < max.length; c++) {
      if (!Float.isFinite(max[c])) {
        throw new IllegalArgumentException("cannot quantize a weight with a non-finite value in channel " + c);
      }
      max[c] = max[c] == 0 ? 1 : max[c] / 127;
    }
    return max;
  }

  /** The int8 values (as integral floats, for an INT8 initializer). */
  TensorValues.FloatFiller quantized() {
    return (start, dst, count) -> {
      float[] s = scales();
      source.fill(start, dst, count);
      for (int i = 0; i < count; i++) {
        float q = Math.round(dst[i] / s[channel(start + i)]);
        dst[i] = Math.max(-127, Math.min(127, q));
      }
    };
  }

  /** The scales, one per channel. */
  TensorValues.FloatFiller scaleValues() {
    return (start, dst, count) -> System.arraycopy(scales(), (int) start, dst, 0, count);
  }
}
