package io.github.ldm4j.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ModelSizeTest} against the packaged (native, with {@code -Pnative}) application; run by failsafe. */
@QuarkusIntegrationTest
class ModelSizeIT extends ModelSizeTest {}
