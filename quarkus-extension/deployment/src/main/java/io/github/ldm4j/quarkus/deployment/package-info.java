/**
 * Build steps of the ldm4j Quarkus extension: the feature, the runtime-init {@code Ldm4jPipelines}
 * bean, the REST classes, ServiceLoader registrations and what a native image of ONNX Runtime needs.
 */
package io.github.ldm4j.quarkus.deployment;
