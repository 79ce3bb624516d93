package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bad {@code quarkus.ldm4j.images.*} value fails the startup naming the property, even when the
 * models are opened lazily.
 */
class InvalidImagesConfigTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.open-at-startup", "false")
      .overrideConfigKey("quarkus.ldm4j.images.public-base-url", "ftp://images.example.com/x?y=1")
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString()).contains("quarkus.ldm4j.images.public-base-url: 'ftp://images.example.com/x?y=1' is not "
            + "an http(s) URL");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
