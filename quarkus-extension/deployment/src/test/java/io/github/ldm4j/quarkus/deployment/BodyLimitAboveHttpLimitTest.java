package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.ldm4j.limits.max-request-body-size} above {@code quarkus.http.limits.max-body-size}
 * fails the startup naming both properties (Quarkus would answer the bodies in between with an
 * empty 413).
 */
class BodyLimitAboveHttpLimitTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.limits.max-request-body-size", "2097152")
      .overrideConfigKey("quarkus.http.limits.max-body-size", "1M")
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString())
            .contains("quarkus.ldm4j.limits.max-request-body-size (2097152 bytes) exceeds "
                + "quarkus.http.limits.max-body-size (1M = 1048576 bytes)");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
