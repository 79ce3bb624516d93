package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code quarkus.ldm4j.queue.kind=redis} without a URL fails the startup naming the property. */
class QueueRedisNeedsUrlTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.queue.kind", "redis")
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString()).contains("quarkus.ldm4j.queue.url=redis://HOST:PORT");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
