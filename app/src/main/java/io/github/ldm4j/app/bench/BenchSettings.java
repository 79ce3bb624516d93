package io.github.ldm4j.app.bench;

/**
 * What {@code ldm4j bench} runs.
 *
 * @param mode which sides run
 * @param size image width and height in pixels
 * @param steps sampler steps (UNet calls for the floor)
 * @param warmup unmeasured runs first
 * @param runs measured runs
 * @param sampler sampler name for the pipeline
 * @param schedule schedule name for the pipeline
 * @param guidance classifier-free guidance scale (&gt; 1: the UNet runs at batch 2)
 */
public record BenchSettings(Mode mode, int size, int steps, int warmup, int runs, String sampler, String schedule,
    double guidance) {

  /** Which sides a bench runs. */
  public enum Mode {
    /** ldm4j's generator only (its peak RSS is ldm4j's alone). */
    PIPELINE,
    /** The plain ONNX Runtime loop only. */
    FLOOR,
    /** Both in one process, runs alternating, so that a load change hits both alike. */
    COMPARE
  }

  /**
   * Validates.
   *
   * @throws IllegalArgumentException naming the option
   */
  public BenchSettings {
    java.util.Objects.requireNonNull(mode, "mode");
    if (size < 8 || size % 8 != 0) {
      throw new IllegalArgumentException("--size must be a positive multiple of 8, got " + size);
    }
    if (steps < 1 || warmup < 0 || runs < 1) {
      throw new IllegalArgumentException(
          "need --steps >= 1, --warmup >= 0, --runs >= 1; got " + steps + ", " + warmup + ", " + runs);
    }
    if (!(guidance >= 0) || !Double.isFinite(guidance)) {
      throw new IllegalArgumentException("--guidance must be finite and >= 0, got " + guidance);
    }
  }

  /** The latent side (the SD VAE downsamples by 8). */
  int latentSize() {
    return size / 8;
  }
}
