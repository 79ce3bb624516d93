/**
 * Runtime part of the ldm4j Quarkus extension: {@link io.github.ldm4j.quarkus.runtime.Ldm4jConfig}
 * (under {@code quarkus.ldm4j}), the {@link io.github.ldm4j.quarkus.runtime.Ldm4jPipelines} bean
 * opened at startup, the {@link io.github.ldm4j.quarkus.runtime.Ldm4jModel} qualifier for injecting
 * a model's generator, the bounded {@link io.github.ldm4j.quarkus.runtime.GenerationService} and
 * the per-task progress streams of {@link io.github.ldm4j.quarkus.runtime.TaskRegistry}.
 */
package io.github.ldm4j.quarkus.runtime;
