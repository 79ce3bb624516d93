package io.github.ldm4j.sampler;

import io.github.ldm4j.spi.NamedServices;
import java.util.List;

/** Finds samplers by name among the {@link SamplerProvider}s on the class path. */
public final class Samplers {

  private Samplers() {}

  /** Names of every registered sampler, sorted. */
  public static List<String> names() {
    return NamedServices.names(SamplerProvider.class, SamplerProvider::name);
  }

  /**
   * The sampler registered as {@code name}, configured with {@code options}.
   *
   * @throws IllegalArgumentException for an unknown name; the message lists the registered ones
   */
  public static Sampler create(String name, SamplerOptions options) {
    return NamedServices.find(SamplerProvider.class, SamplerProvider::name, "sampler", name).create(options);
  }

  /** {@link #create(String, SamplerOptions)} with default options. */
  public static Sampler create(String name) {
    return create(name, SamplerOptions.DEFAULTS);
  }
}
