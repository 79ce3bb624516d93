/**
 * JMH benchmarks of the tensor operations samplers run every step (test scope only; run with
 * {@code ./mvnw -B -pl pipeline-api test-compile exec:exec@jmh}, see docs/benchmarks.md).
 */
package io.github.ldm4j.tensor.bench;
