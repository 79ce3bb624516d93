package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.Ldm4jReadinessCheck;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.ldm4j.open-at-startup=false}: an invalid model does not fail the startup, readiness
 * is DOWN without opening anything, and the first use fails with the startup's clear message.
 */
class LazyOpeningTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .overrideConfigKey("quarkus.ldm4j.model.path", "target/no-such-model")
      .overrideConfigKey("quarkus.ldm4j.open-at-startup", "false");

  @Inject Instance<Ldm4jPipelines> pipelines;
  @Inject @Readiness Ldm4jReadinessCheck readiness;

  @Test
  void startsDownAndFailsOnFirstUseWithTheClearMessage() {
    HealthCheckResponse before = readiness.call();
    assertThat(before.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(before.getData()).hasValueSatisfying(d -> assertThat(d).containsEntry("models", "not opened yet"));
    // Asking twice must not have opened (and failed) anything either.
    assertThat(readiness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);

    Throwable t = catchThrowable(() -> pipelines.get().names());
    assertThat(t).isNotNull();
    assertThat(messages(t)).contains("cannot open model \"default\"").contains("no-such-model");
    assertThat(readiness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
  }

  private static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append('\n');
    }
    return all.toString();
  }

}
