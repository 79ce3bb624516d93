/**
 * JMH benchmarks of the tokenizer and prompt parser (test scope; run as docs/benchmarks.md says,
 * not part of the test suite).
 */
package io.github.ldm4j.conditioning.bench;
