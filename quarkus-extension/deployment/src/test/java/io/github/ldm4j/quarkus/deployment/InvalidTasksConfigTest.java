package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bad {@code quarkus.ldm4j.tasks.*} bound fails the startup naming the property, even when the
 * models are opened lazily ({@code open-at-startup=false}, as the command line runs).
 */
class InvalidTasksConfigTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.open-at-startup", "false")
      .overrideConfigKey("quarkus.ldm4j.tasks.max-pending", "0")
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString()).contains("quarkus.ldm4j.tasks.max-pending must be >= 1, got 0");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
