/**
 * Service-provider interfaces for hardware backends: {@link io.github.ldm4j.spi.BackendProvider}
 * (name, side-effect-free availability, factory of {@link io.github.ldm4j.spi.Network}s), found by
 * name with {@link io.github.ldm4j.spi.Backends}; per-component {@link io.github.ldm4j.spi.Placement};
 * and the shared {@link io.github.ldm4j.spi.NamedServices} lookup.
 */
package io.github.ldm4j.spi;
