package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.SamplerProvider;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link SamplerProvider} for one name and one factory: the nested {@code Provider} classes that
 * {@link java.util.ServiceLoader} instantiates only pass both to this constructor.
 */
public abstract class NamedSamplerProvider implements SamplerProvider {

  private final String name;
  private final Function<SamplerOptions, Sampler> factory;

  /** A provider registering {@code factory} under {@code name}. */
  protected NamedSamplerProvider(String name, Function<SamplerOptions, Sampler> factory) {
    this.name = Objects.requireNonNull(name, "name");
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Sampler create(SamplerOptions options) {
    return factory.apply(Objects.requireNonNull(options, "options"));
  }
}
