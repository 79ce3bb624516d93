/**
 * Service-provider interfaces for hardware backends: {@link io.github.ldm4j.spi.BackendProvider}
 * (name, side-effect-free availability, factory of {@link io.github.ldm4j.spi.Network}s), found by
 * name with {@link io.github.ldm4j.spi.Backends}; the one options type {@link
 * io.github.ldm4j.spi.BackendOptions} and per-component {@link io.github.ldm4j.spi.Placement}; networks
 * opened on first use ({@link io.github.ldm4j.spi.LazyNetwork}); a backend whose network runs pass
 * through a hook ({@link io.github.ldm4j.spi.WrappingBackendProvider}, for timing);
 * weights replacing a network file's own ({@link io.github.ldm4j.spi.WeightOverrides}: a LoRA set);
 * model sources ({@link io.github.ldm4j.spi.ModelSourceProvider}: a model folder, a single-file
 * checkpoint) found with {@link io.github.ldm4j.spi.ModelSources}; and the shared {@link
 * io.github.ldm4j.spi.NamedServices} lookup.
 */
package io.github.ldm4j.spi;
