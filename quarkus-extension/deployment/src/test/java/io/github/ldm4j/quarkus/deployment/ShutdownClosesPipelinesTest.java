package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link Ldm4jPipelines} bean is open while the application runs and closed at shutdown (the
 * instance crosses class loaders through the system properties, so it is checked reflectively).
 */
class ShutdownClosesPipelinesTest {

  private static final String KEY = "ldm4j.test.pipelines";

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .setAfterAllCustomizer(() -> {
        Object pipelines = System.getProperties().remove(KEY);
        assertThat(pipelines).isNotNull();
        try {
          assertThat(pipelines.getClass().getMethod("isOpen").invoke(pipelines)).isEqualTo(false);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      });

  @Inject Ldm4jPipelines pipelines;

  @Test
  void openWhileRunning() {
    assertThat(pipelines.isOpen()).isTrue();
    System.getProperties().put(KEY, pipelines);
  }
}
