/**
 * Service-provider interfaces for hardware backends: {@link io.github.ldm4j.spi.BackendProvider}
 * (name, side-effect-free availability, factory of {@link io.github.ldm4j.spi.ModelComponents}),
 * found by name with {@link io.github.ldm4j.spi.Backends}, and the shared {@link
 * io.github.ldm4j.spi.NamedServices} lookup.
 */
package io.github.ldm4j.spi;
