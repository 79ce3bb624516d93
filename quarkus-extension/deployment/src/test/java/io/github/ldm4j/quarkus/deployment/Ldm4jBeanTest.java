package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.quarkus.runtime.GenerationService;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Configuration defaults and the beans, with a 128 px shapes model as the default model. */
class Ldm4jBeanTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.models.\"second\".path", TestModels.shapes128());

  @Inject Ldm4jConfig config;
  @Inject Ldm4jPipelines pipelines;
  @Inject GenerationService service;

  @Test
  void configDefaults() {
    assertThat(config.backend()).isEqualTo("onnx");
    assertThat(config.device()).isEqualTo("cpu");
    assertThat(config.threads()).isZero();
    assertThat(config.allowCpuFallback()).isFalse();
    assertThat(config.apiKey()).isEmpty();
    assertThat(config.model().name()).isEqualTo("default");
    Ldm4jConfig.Defaults d = config.defaults();
    assertThat(d.sampler()).isEmpty();
    assertThat(d.scheduler()).isEmpty();
    assertThat(d.steps()).isEqualTo(20);
    assertThat(d.guidanceScale()).isEqualTo(7.5);
    assertThat(d.width()).isEqualTo(512);
    assertThat(d.height()).isEqualTo(512);
    // the configuration's defaults are the library's (both read GenerationSettings.DEFAULT_*)
    assertThat(Ldm4jPipelines.defaults(config)).isEqualTo(GenerationSettings.DEFAULTS);
    Ldm4jConfig.Limits l = config.limits();
    assertThat(l.maxWidth()).isEqualTo(1024);
    assertThat(l.maxHeight()).isEqualTo(1024);
    assertThat(l.maxPixels()).isEqualTo(4L << 20);
    assertThat(l.maxSteps()).isEqualTo(150);
    assertThat(l.maxImages()).isEqualTo(4);
    assertThat(l.maxRequestBodySize()).isEqualTo(16L << 20);
    assertThat(l.queueLength()).isEqualTo(16);
    assertThat(l.concurrentGenerations()).isEqualTo(1);
    assertThat(l.requestTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(l.retryAfterSeconds()).isEqualTo(5);
  }

  @Test
  void pipelinesAreOpenedAtStartupWithTheNamedModels() {
    assertThat(pipelines.names()).containsExactly("default", "second");
    assertThat(pipelines.defaultName()).isEqualTo("default");
    assertThat(pipelines.folder("default")).isEqualTo(Path.of(TestModels.shapes128()));
    assertThat(pipelines.defaultGenerator().model()).isNotNull();
    assertThat(pipelines.generator("second")).isPresent();
    assertThat(pipelines.generator("nope")).isEmpty();
    assertThat(pipelines.defaults().steps()).isEqualTo(20);
    assertThat(pipelines.defaultGenerator().limits().maxSteps()).isEqualTo(150);
  }

  @Test
  void generationServiceStartsIdle() {
    assertThat(service.queueDepth()).isZero();
    assertThat(service.running()).isZero();
  }
}
