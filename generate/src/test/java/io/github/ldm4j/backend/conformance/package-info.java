/**
 * The backend conformance suite: {@link io.github.ldm4j.backend.conformance.BackendConformanceTest},
 * an abstract JUnit 5 class every ldm4j backend runs through a small concrete subclass, over the
 * testkit's tiny SD model in every export flavor, precision and pipeline variant.
 *
 * <p>It ships as the {@code ldm4j-backend-onnx} test-jar. Another backend reuses it with the test
 * dependencies {@code io.github.ldm4j:ldm4j-backend-onnx} ({@code <type>test-jar</type>}, version
 * managed in the root pom) and {@code io.github.ldm4j:ldm4j-testkit}, plus a subclass such as
 *
 * <pre>{@code
 * class OpenVinoConformanceTest extends BackendConformanceTest {
 *   protected ModelComponents open(Path dir) throws IOException { return OpenVinoBackend.open(dir); }
 *   protected BackendProvider provider() { return Backends.find("openvino"); }
 * }
 * }</pre>
 *
 * <p>overriding {@code supports(ConformanceCase)} to leave out folders it cannot read.
 */
package io.github.ldm4j.backend.conformance;
