/** JMH benchmark of the per-step sampler overhead (test scope; figures in docs/benchmarks.md). */
package io.github.ldm4j.samplers.bench;
