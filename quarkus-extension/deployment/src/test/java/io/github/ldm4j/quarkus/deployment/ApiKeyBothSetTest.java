package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code quarkus.ldm4j.api-key} and {@code quarkus.ldm4j.api-key-file} together fail the startup naming both. */
class ApiKeyBothSetTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.open-at-startup", "false")
      .overrideConfigKey("quarkus.ldm4j.api-key", "k")
      .overrideConfigKey("quarkus.ldm4j.api-key-file", "key.txt")
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString())
            .contains("quarkus.ldm4j.api-key and quarkus.ldm4j.api-key-file are both set; set one of them");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
