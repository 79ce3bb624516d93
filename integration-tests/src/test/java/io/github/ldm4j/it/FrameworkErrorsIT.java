package io.github.ldm4j.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link FrameworkErrorsTest} against the packaged (native, with {@code -Pnative}) application; run by failsafe. */
@QuarkusIntegrationTest
class FrameworkErrorsIT extends FrameworkErrorsTest {}
