package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.quarkus.runtime.Ldm4jModel;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An injection point naming an unknown model fails the startup with a message listing the known models. */
class UnknownModelQualifierTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClasses(TestModels.class, WantsMissing.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.models.\"sketch\".path", TestModels.shapes128("shapes-128-sketch"))
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString()).contains("@Ldm4jModel(\"nope\")").contains("known models: [default, sketch]");
      });

  /** Injects a model nobody configured. */
  @ApplicationScoped
  static class WantsMissing {
    @Inject @Ldm4jModel("nope") Generator missing;
  }

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
