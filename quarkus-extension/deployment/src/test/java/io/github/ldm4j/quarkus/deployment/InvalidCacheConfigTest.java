package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An invalid pipeline-cache bound fails the startup naming the property. */
class InvalidCacheConfigTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.cache.max-pipelines", "0")
      .assertException(t -> {
        Throwable root = t;
        StringBuilder all = new StringBuilder();
        while (root != null) {
          all.append(root.getMessage()).append('\n');
          root = root.getCause();
        }
        assertThat(all.toString()).contains("quarkus.ldm4j.cache.max-pipelines must be >= 1, got 0");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
