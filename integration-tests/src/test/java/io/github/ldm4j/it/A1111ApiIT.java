package io.github.ldm4j.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link A1111ApiTest} against the packaged (native, with {@code -Pnative}) application; run by failsafe. */
@QuarkusIntegrationTest
class A1111ApiIT extends A1111ApiTest {}
