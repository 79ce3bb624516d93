package io.github.ldm4j.sampler;

/**
 * Service-provider interface for samplers, found with {@link java.util.ServiceLoader}: one
 * provider per sampler name. Providers do no work until {@link #create} is called.
 */
public interface SamplerProvider {

  /** The sampler's registered name (unique). */
  String name();

  /**
   * A sampler configured with {@code options}.
   *
   * @throws IllegalArgumentException for options the algorithm cannot honour
   */
  Sampler create(SamplerOptions options);
}
