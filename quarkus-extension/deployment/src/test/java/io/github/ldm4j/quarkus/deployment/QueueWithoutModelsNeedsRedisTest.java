package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An API node without models and without the Redis queue fails the startup naming both properties. */
class QueueWithoutModelsNeedsRedisTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.queue.local-models", "false")
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString()).contains("quarkus.ldm4j.queue.local-models=false")
            .contains("quarkus.ldm4j.queue.kind=redis");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
