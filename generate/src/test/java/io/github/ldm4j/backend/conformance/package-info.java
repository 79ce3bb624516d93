/**
 * The backend conformance suite: {@link io.github.ldm4j.backend.conformance.BackendConformanceTest},
 * an abstract JUnit 5 class every ldm4j backend runs through a small concrete subclass, over the
 * testkit's tiny SD model in every export flavor, precision and pipeline variant.
 *
 * <p>Every model is opened through the one assembler ({@code ModelAssembler}) with all of its
 * networks from the provider under test, and the provider's own contract (opens the networks it is
 * asked for, closes idempotently, names a missing file) is checked directly. It ships as the {@code
 * ldm4j-generate} test-jar. A backend reuses it with the test dependencies {@code
 * io.github.ldm4j:ldm4j-generate} (plain and {@code <type>test-jar</type>}, versions managed in the
 * root pom) and {@code io.github.ldm4j:ldm4j-testkit}, plus a subclass such as
 *
 * <pre>{@code
 * class OnnxConformanceTest extends BackendConformanceTest {
 *   protected BackendProvider provider() { return new OnnxBackendProvider(); }
 * }
 * }</pre>
 *
 * <p>overriding {@code supports(ConformanceCase)} to leave out folders it cannot read.
 */
package io.github.ldm4j.backend.conformance;
