package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.quarkus.runtime.Ldm4jModel;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code @Inject Generator} is the default model, {@code @Inject @Ldm4jModel("sketch") Generator} the named one. */
class ModelQualifierTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClasses(TestModels.class, Painter.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.models.\"sketch\".path", TestModels.shapes128("shapes-128-sketch"))
      .overrideConfigKey("quarkus.ldm4j.defaults.width", "128")
      .overrideConfigKey("quarkus.ldm4j.defaults.height", "128");

  /** A user bean injecting both models (a singleton: its fields are read directly, not through a proxy). */
  @Singleton
  static class Painter {
    @Inject Generator main;
    @Inject @Ldm4jModel("sketch") Generator sketch;
    @Inject @Ldm4jModel("default") Generator mainByName;
  }

  @Inject Painter painter;
  @Inject Ldm4jPipelines pipelines;

  @Test
  void defaultAndNamedModelsAreTheOwnedGenerators() {
    assertThat(painter.main).isSameAs(pipelines.defaultGenerator());
    assertThat(painter.mainByName).isSameAs(pipelines.defaultGenerator());
    assertThat(painter.sketch).isSameAs(pipelines.generator("sketch").orElseThrow());
    assertThat(painter.sketch).isNotSameAs(painter.main);
  }

  @Test
  void theNamedModelGenerates() {
    GenerationResult r = painter.sketch.generate(new GenerationRequest.TextToImage("a red circle", "",
        pipelines.defaults().toBuilder().steps(2).seed(5).build()));
    assertThat(r.images()).hasSize(1);
    assertThat(r.images().getFirst().png()).isNotEmpty();
  }
}
