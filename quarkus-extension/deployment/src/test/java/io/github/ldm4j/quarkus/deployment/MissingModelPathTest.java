package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Without {@code quarkus.ldm4j.model.path} the startup fails naming the property: the extension has
 * no built-in model (the ldm4j app supplies its demo model itself).
 */
class MissingModelPathTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .assertException(t -> assertThat(Stream.iterate(t, Objects::nonNull, Throwable::getCause)
          .map(Throwable::getMessage))
          .anySatisfy(m -> assertThat(m).startsWith("ldm4j: quarkus.ldm4j.model.path is not set")
              .contains("the ldm4j app uses its embedded demo model when no --model is given")));

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
