package io.github.ldm4j.spi;

import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * One input of a {@link Network} run, in the form the pipeline has it; the backend converts it to
 * the input's declared element type (float16 networks get their floats converted, int32/int64 ids
 * and timesteps as declared).
 */
public sealed interface Feed {

  /** The dimensions fed. */
  long[] shape();

  /**
   * A float tensor (latents, images, contexts).
   *
   * @param tensor the values; not copied, so it must not change while the run lasts
   */
  record Floats(Tensor tensor) implements Feed {
    /** Validates. */
    public Floats {
      Objects.requireNonNull(tensor, "tensor");
    }

    @Override
    public long[] shape() {
      return tensor.shape().toLongArray();
    }
  }

  /**
   * Float values of any rank, scalars included (timesteps).
   *
   * @param values row-major values
   * @param shape the dimensions ({@code []} for a scalar)
   */
  record FloatValues(float[] values, long[] shape) implements Feed {
    /** Validates. */
    public FloatValues {
      Objects.requireNonNull(values, "values");
      Objects.requireNonNull(shape, "shape");
    }
  }

  /**
   * Integer rows (token ids), fed as the network's int32 or int64.
   *
   * @param rows {@code [B][L]}, every row of the same length
   */
  record Ints(int[][] rows) implements Feed {
    /** Validates. */
    public Ints {
      Objects.requireNonNull(rows, "rows");
      if (rows.length == 0) {
        throw new IllegalArgumentException("token ids need at least one row");
      }
      for (int[] r : rows) {
        if (r == null || r.length != rows[0].length) {
          throw new IllegalArgumentException("token id rows must all have the same length");
        }
      }
    }

    @Override
    public long[] shape() {
      return new long[] {rows.length, rows[0].length};
    }
  }

  /**
   * Int64 values of any rank, scalars included (integer timesteps).
   *
   * @param values row-major values
   * @param shape the dimensions ({@code []} for a scalar)
   */
  record Longs(long[] values, long[] shape) implements Feed {
    /** Validates. */
    public Longs {
      Objects.requireNonNull(values, "values");
      Objects.requireNonNull(shape, "shape");
    }
  }
}
