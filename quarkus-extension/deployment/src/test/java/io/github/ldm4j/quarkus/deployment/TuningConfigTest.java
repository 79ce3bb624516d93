package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.GraphOptimization;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18: the runtime knobs under {@code quarkus.ldm4j.*} (inter-op threads, optimisation level,
 * model cache, arena, memory pattern) reach the backend options the models open with (the model
 * cache is written, so they reached ONNX Runtime), and the model generates.
 */
class TuningConfigTest {

  /** One folder per test JVM (the class is loaded twice: by the test and by the application, which must agree). */
  static final Path CACHE = Path.of(System.getProperty("java.io.tmpdir"),
      "ldm4j-tuning-cache-" + ProcessHandle.current().pid());

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.inter-op-threads", "1")
      .overrideConfigKey("quarkus.ldm4j.optimization", "basic")
      .overrideConfigKey("quarkus.ldm4j.model-cache", CACHE.toString())
      .overrideConfigKey("quarkus.ldm4j.memory-arena", "false")
      .overrideConfigKey("quarkus.ldm4j.memory-pattern", "true");

  @org.junit.jupiter.api.AfterAll
  static void deleteCache() throws IOException {
    if (Files.exists(CACHE)) {
      try (Stream<Path> s = Files.walk(CACHE)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Inject Ldm4jConfig config;
  @Inject Ldm4jPipelines pipelines;

  @Test
  void theKnobsReachTheBackendOptionsAndTheModelCacheIsWritten() throws IOException {
    assertThat(Ldm4jPipelines.backendOptions(config, "cpu", Map.of())).isEqualTo(new BackendOptions(
        "cpu", 0, 1, false, Map.of(), GraphOptimization.BASIC, Optional.of(CACHE), false, true));
    GenerationRequest r = new GenerationRequest.TextToImage("a red circle", "",
        GenerationSettings.builder().size(128, 128).steps(2).build());
    assertThat(pipelines.defaultGenerator().generate(r).images()).hasSize(1);
    try (Stream<Path> s = Files.list(CACHE)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("unet-")).noneMatch(n -> n.startsWith("vae_encoder-"));
    }
  }
}
