package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An unknown {@code quarkus.ldm4j.precision} fails the startup, naming the key, the value and the choices. */
class PrecisionConfigInvalidTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.precision", "fp8")
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        // SmallRye Config's message for an enum-valued key (the choices in no fixed order)
        String m = all.toString();
        assertThat(m).contains("config property quarkus.ldm4j.precision with the config value \"fp8\"")
            .contains("allowed values: ");
        String allowed = m.substring(m.indexOf("allowed values: ") + "allowed values: ".length()).lines().findFirst()
            .orElseThrow();
        assertThat(allowed.split(",")).containsExactlyInAnyOrder("auto", "fp32", "fp16", "int8", "int8-linear");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
