package io.github.ldm4j.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.GraphOptimization;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: ONNX Runtime's optimised graphs kept in {@link BackendOptions#modelCache()}: written once
 * per network, level and provider, loaded by later opens, never reused for a changed file or level,
 * and the images are the same bytes as without the cache.
 */
class OptimizedModelCacheTest {

  @TempDir Path dir;

  private static final GenerationRequest REQUEST = new GenerationRequest.TextToImage("a cat", "",
      GenerationSettings.builder().size(64, 64).steps(3).seed(5, RngKind.TORCH).build());

  private static byte[] generate(Path model, BackendOptions options) throws IOException {
    try (Generator g = Generator.open(model, "onnx", options, GenerationLimits.DEFAULTS)) {
      return g.generate(REQUEST).images().getFirst().png();
    }
  }

  private static List<String> entries(Path cache) throws IOException {
    try (Stream<Path> s = Files.list(cache)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void optimisedGraphsAreWrittenOnceReusedAndKeyedByFileAndLevel() throws IOException {
    Path model = SdModel.write(dir.resolve("tiny"), SdOptions.tiny()).root();
    Path cache = dir.resolve("cache");
    BackendOptions cached = BackendOptions.DEFAULTS.withModelCache(Optional.of(cache));
    byte[] plain = generate(model, BackendOptions.DEFAULTS);

    assertThat(generate(model, cached)).isEqualTo(plain);
    List<String> first = entries(cache);
    // the VAE encoder is never opened for text-to-image, so it is not cached either
    assertThat(first).hasSize(3).allSatisfy(e -> assertThat(e).matches("(text_encoder|unet|vae_decoder)-[0-9a-f]{16}"));
    for (String e : first) {
      assertThat(cache.resolve(e).resolve("model.onnx")).isRegularFile();
    }
    FileTime written = Files.getLastModifiedTime(cache.resolve(first.get(1)).resolve("model.onnx"));

    assertThat(generate(model, cached)).as("loaded from the cache").isEqualTo(plain);
    assertThat(entries(cache)).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(cache.resolve(first.get(1)).resolve("model.onnx"))).isEqualTo(written);

    Path unet = model.resolve("unet/model.onnx");
    Files.setLastModifiedTime(unet, FileTime.fromMillis(Files.getLastModifiedTime(unet).toMillis() + 60_000));
    generate(model, cached);
    assertThat(entries(cache)).as("a changed UNet file gets its own entry").hasSize(4);

    generate(model, cached.withOptimization(GraphOptimization.BASIC));
    assertThat(entries(cache)).as("another level, three more entries").hasSize(7)
        .noneMatch(e -> e.contains(".tmp-"));
  }

  @Test
  void halfWrittenEntriesOfACrashedProcessAreDeletedFreshOnesKept() throws IOException {
    Path model = SdModel.write(dir.resolve("tiny"), SdOptions.tiny()).root();
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Path abandoned = Files.createDirectories(cache.resolve("unet-0123456789abcdef.tmp-111"));
    Path abandonedData = Files.write(abandoned.resolve("model.onnx.data"), new byte[4096]);
    FileTime twoHoursAgo = FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofHours(2)));
    Files.setLastModifiedTime(abandonedData, twoHoursAgo);
    Files.setLastModifiedTime(abandoned, twoHoursAgo);
    // another process writing right now: its file changed a moment ago, though its folder is old
    Path inProgress = Files.createDirectories(cache.resolve("unet-fedcba9876543210.tmp-222"));
    Files.write(inProgress.resolve("model.onnx.data"), new byte[4096]);
    Files.setLastModifiedTime(inProgress, twoHoursAgo);

    generate(model, BackendOptions.DEFAULTS.withModelCache(Optional.of(cache)));

    assertThat(entries(cache)).doesNotContain(abandoned.getFileName().toString())
        .contains(inProgress.getFileName().toString())
        .filteredOn(e -> !e.contains(".tmp-")).hasSize(3);
  }

  @Test
  void aCacheThatIsAFileIsRefusedNamingIt() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
    assertThatThrownBy(() -> BackendOptions.DEFAULTS.withModelCache(Optional.of(file)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("model cache " + file + " is not a folder");
  }
}
