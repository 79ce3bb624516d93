/**
 * The backend conformance suite: {@link io.github.ldm4j.backend.conformance.BackendConformanceTest},
 * an abstract JUnit 5 class every ldm4j backend runs through a small concrete subclass, over the
 * testkit's tiny SD model in every export flavor, precision and pipeline variant. Shipped in the
 * {@code ldm4j-backend-onnx} test-jar so that other backends can reuse it.
 */
package io.github.ldm4j.backend.conformance;
