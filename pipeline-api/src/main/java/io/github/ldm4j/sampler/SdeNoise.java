package io.github.ldm4j.sampler;

import java.util.Locale;

/**
 * Where the SDE samplers ({@code dpmpp_sde}, {@code dpmpp_2m_sde}, {@code dpmpp_3m_sde}) take their
 * noise from.
 */
public enum SdeNoise {
  /**
   * The default: k-diffusion's {@code BrownianTreeNoiseSampler}, the normalised increments of a
   * torchsde Brownian tree over [σ<sub>min</sub>, σ<sub>max</sub>] seeded with the run's {@linkplain
   * io.github.ldm4j.random.RandomSource#seeds() seeds} (AUTOMATIC1111: one tree per image with its
   * seed; ComfyUI: one tree for the batch with the seed), so a seed reproduces those programs.
   * Needs a seeded random source.
   */
  BROWNIAN,
  /**
   * Fresh unit Gaussians from the run's generator at every step (k-diffusion's {@code
   * default_noise_sampler}): the same distribution per step, a different stream from the
   * references' defaults; cheaper (one {@code randn} per step instead of one per tree level
   * touched, ≈ 0.3 ms against ≈ 25 ms per step for a 4×64×64 latent on 2 cores), and works with
   * any random source.
   */
  INDEPENDENT;

  /** The lower-case name ({@code brownian}, {@code independent}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code brownian} or {@code independent}, case-insensitively. */
  public static SdeNoise fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (SdeNoise v : values()) {
      if (v.label().equals(n)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown SDE noise '" + name + "'; expected one of brownian, independent");
  }
}
