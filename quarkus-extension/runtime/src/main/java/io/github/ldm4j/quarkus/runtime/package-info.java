/**
 * Runtime part of the ldm4j Quarkus extension: {@link io.github.ldm4j.quarkus.runtime.Ldm4jConfig}
 * (under {@code quarkus.ldm4j}), the {@link io.github.ldm4j.quarkus.runtime.Ldm4jPipelines} bean
 * opened at startup, and the bounded {@link io.github.ldm4j.quarkus.runtime.GenerationService}.
 */
package io.github.ldm4j.quarkus.runtime;
