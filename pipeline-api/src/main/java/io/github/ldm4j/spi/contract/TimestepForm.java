package io.github.ldm4j.spi.contract;

/**
 * How a UNet export takes its timestep: float {@code [B]} (legacy diffusers script), float scalar
 * (optimum), int64 {@code [B]} (older and OpenVINO-style exports) or int64 scalar.
 */
public enum TimestepForm {
  /** float or float16 {@code [B]}. */
  FLOAT_VECTOR,
  /** float or float16, rank 0. */
  FLOAT_SCALAR,
  /** int64 {@code [B]}. */
  INT64_VECTOR,
  /** int64, rank 0. */
  INT64_SCALAR;

  /** Whether the network takes one timestep for the whole batch. */
  public boolean isScalar() {
    return this == FLOAT_SCALAR || this == INT64_SCALAR;
  }

  /** Whether the timestep is an integer. */
  public boolean isInteger() {
    return this == INT64_VECTOR || this == INT64_SCALAR;
  }

  /** The tensor shape for a batch of {@code batch}: {@code [batch]} or {@code []}. */
  public long[] shape(int batch) {
    return isScalar() ? new long[0] : new long[] {batch};
  }

  /**
   * The float values to feed for the batch's timesteps {@code ts}: all of them, or the one shared
   * value for a scalar form.
   *
   * @param what the network, for the message
   * @throws IllegalArgumentException when a scalar form meets different timesteps in one batch
   */
  public float[] floats(float[] ts, String what) {
    return isScalar() ? new float[] {shared(ts, what)} : ts.clone();
  }

  /** The int64 values to feed: rounded to the nearest integer (fractional timesteps are rounded). */
  public long[] longs(float[] ts, String what) {
    float[] f = floats(ts, what);
    long[] out = new long[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = Math.round(f[i]);
    }
    return out;
  }

  private static float shared(float[] ts, String what) {
    for (float v : ts) {
      if (v != ts[0]) {
        throw new IllegalArgumentException(
            "this unet (" + what + ") takes one scalar timestep, but the batch has different timesteps");
      }
    }
    return ts[0];
  }
}
