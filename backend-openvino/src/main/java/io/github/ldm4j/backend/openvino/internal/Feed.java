package io.github.ldm4j.backend.openvino.internal;

import io.github.ldm4j.tensor.Tensor;

/** One input value for {@link OvNetwork#infer}, converted at the boundary to the port's element type. */
public sealed interface Feed {

  /** The shape fed. */
  long[] shape();

  /** An ldm4j tensor: handed to OpenVINO without copying when the port is F32, converted for F16. */
  record Floats(Tensor tensor) implements Feed {
    @Override
    public long[] shape() {
      return tensor.shape().toLongArray();
    }
  }

  /** A few float values of the given shape (timesteps). */
  record FloatValues(float[] values, long[] shape) implements Feed {}

  /** Token-id rows {@code [B][L]}, fed as I32 or I64. */
  record Ints(int[][] rows) implements Feed {
    @Override
    public long[] shape() {
      return new long[] {rows.length, rows.length == 0 ? 0 : rows[0].length};
    }
  }

  /** int64 values of the given shape (integer timesteps). */
  record Longs(long[] values, long[] shape) implements Feed {}
}
