package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A model folder that does not exist fails the startup with a message naming the model and the folder. */
class InvalidModelTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .overrideConfigKey("quarkus.ldm4j.model.path", "target/no-such-model")
      .assertException(t -> {
        Throwable root = t;
        StringBuilder all = new StringBuilder();
        while (root != null) {
          all.append(root.getMessage()).append('\n');
          root = root.getCause();
        }
        assertThat(all.toString()).contains("cannot open model \"default\"").contains("no-such-model");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
