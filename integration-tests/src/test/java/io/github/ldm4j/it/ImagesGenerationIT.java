package io.github.ldm4j.it;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ImagesGenerationTest} against the packaged (native, with {@code -Pnative}) application; run by failsafe. */
@QuarkusIntegrationTest
class ImagesGenerationIT extends ImagesGenerationTest {}
