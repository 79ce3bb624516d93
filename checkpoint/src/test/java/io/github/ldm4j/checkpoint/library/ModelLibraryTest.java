package io.github.ldm4j.checkpoint.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model library on temporary folders. Hash values of {@code tiny-lora.safetensors} (a
 * 284-byte safetensors file, header length 256, written by hand with Python's {@code json} and
 * {@code struct}) were computed outside ldm4j with coreutils: {@code sha256sum FILE} for the
 * SHA-256 and {@code tail -c +265 FILE | sha256sum} (the bytes after the 8 + 256-byte header) for
 * the addnet hash.
 */
class ModelLibraryTest {

  /** {@code sha256sum tiny-lora.safetensors}. */
  static final String TINY_SHA256 = "904b6251b5a6937e96d6462733d9f962b4aa85575555f0d8c1cdb1651c03ba57";

  /** {@code tail -c +265 tiny-lora.safetensors | sha256sum}. */
  static final String TINY_ADDNET = "ace7c9a445921b9450455d42f2431e602d697d3bdd0ad46a61629db9c967d558";

  @TempDir Path dir;

  private ModelLibrary library(Path models) {
    return new ModelLibrary(ModelLibrary.folders(models, Map.of()), new FileHashes());
  }

  private Path tiny(Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try (InputStream in = getClass().getResourceAsStream("tiny-lora.safetensors")) {
      Files.copy(in, target);
    }
    return target;
  }

  @Test
  void scansTheA1111FoldersWithNamesAsA1111ShowsThem() throws IOException {
    Files.createDirectories(dir.resolve("Stable-diffusion/sd15"));
    Files.write(dir.resolve("Stable-diffusion/sd15/base.safetensors"), new byte[3]);
    Files.write(dir.resolve("Stable-diffusion/old.ckpt"), new byte[5]);
    Files.write(dir.resolve("Stable-diffusion/notes.txt"), new byte[1]);
    Files.createDirectories(dir.resolve("VAE"));
    Files.write(dir.resolve("VAE/ft-mse.pt"), new byte[2]);
    tiny(dir.resolve("Lora/style/fox.safetensors"));

    ModelLibrary lib = library(dir);

    assertThat(lib.list(ModelKind.CHECKPOINT)).extracting(ModelEntry::name, ModelEntry::size)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("old", 5L), org.assertj.core.groups.Tuple.tuple("sd15/base", 3L));
    assertThat(lib.list(ModelKind.VAE)).extracting(ModelEntry::name).containsExactly("ft-mse");
    assertThat(lib.list(ModelKind.LORA)).extracting(ModelEntry::name, ModelEntry::stem)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("style/fox", "fox"));
    assertThat(lib.list(ModelKind.EMBEDDING)).isEmpty();
  }

  @Test
  void looksUpByRelativeNameByFileNameAndByUniqueStem() throws IOException {
    Path fox = tiny(dir.resolve("Lora/style/fox.safetensors"));
    ModelLibrary lib = library(dir);

    assertThat(lib.require(ModelKind.LORA, "style/fox").file()).isEqualTo(fox);
    assertThat(lib.require(ModelKind.LORA, "style/fox.safetensors").file()).isEqualTo(fox);
    assertThat(lib.require(ModelKind.LORA, "fox").file()).isEqualTo(fox);
    assertThat(lib.require(ModelKind.LORA, "fox").name()).isEqualTo("style/fox");
  }

  @Test
  void anAmbiguousOrMissingNameIsRefusedWithWhatTheFolderHolds() throws IOException {
    tiny(dir.resolve("Lora/a/fox.safetensors"));
    tiny(dir.resolve("Lora/b/fox.safetensors"));
    ModelLibrary lib = library(dir);

    assertThatThrownBy(() -> lib.require(ModelKind.LORA, "fox"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ambiguous").hasMessageContaining("a/fox, b/fox");
    assertThatThrownBy(() -> lib.require(ModelKind.LORA, "cat"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no LoRA 'cat'").hasMessageContaining("a/fox, b/fox");
    assertThatThrownBy(() -> lib.require(ModelKind.VAE, "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("it holds none");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../secret", "a/../../secret", "/etc/passwd", "..", ".", "a//b", "a\\..\\b", "C:x", "a/./b", "x\n", ""})
  void namesThatCouldLeaveTheFolderAreRefused(String name) throws IOException {
    Files.createDirectories(dir.resolve("models/Lora"));
    tiny(dir.resolve("secret.safetensors"));
    ModelLibrary lib = library(dir.resolve("models"));

    assertThatThrownBy(() -> lib.require(ModelKind.LORA, name))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid LoRA name");
  }

  @Test
  void aLinkLeadingOutOfTheFolderIsRefused() throws IOException {
    Path outside = tiny(dir.resolve("outside/secret.safetensors"));
    Files.createDirectories(dir.resolve("models/Lora"));
    Files.createSymbolicLink(dir.resolve("models/Lora/link.safetensors"), outside);
    ModelLibrary lib = library(dir.resolve("models"));

    assertThatThrownBy(() -> lib.require(ModelKind.LORA, "link"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leads outside");
  }

  @Test
  void foldersCanBeReplacedOneByOne() throws IOException {
    Path elsewhere = tiny(dir.resolve("my-loras/fox.safetensors"));
    ModelLibrary lib = new ModelLibrary(
        ModelLibrary.folders(dir.resolve("models"), Map.of(ModelKind.LORA, dir.resolve("my-loras"))), new FileHashes());

    assertThat(lib.folder(ModelKind.CHECKPOINT)).contains(dir.resolve("models/Stable-diffusion"));
    assertThat(lib.require(ModelKind.LORA, "fox").file()).isEqualTo(elsewhere);
    assertThat(new ModelLibrary(ModelLibrary.folders(null, Map.of()), new FileHashes()).folder(ModelKind.LORA)).isEmpty();
  }

  @Test
  void hashesMatchCoreutilsAndA1111ShortHashes() throws IOException {
    Path lora = tiny(dir.resolve("Lora/fox.safetensors"));
    Path ckpt = tiny(dir.resolve("Stable-diffusion/m.safetensors"));
    Path pt = tiny(dir.resolve("Lora/old.pt"));
    ModelLibrary lib = library(dir);

    assertThat(lib.sha256(lib.require(ModelKind.LORA, "fox"))).isEqualTo(TINY_SHA256);
    assertThat(lib.hashes().addnet(lora)).isEqualTo(TINY_ADDNET);
    assertThat(lib.shortHash(lib.require(ModelKind.LORA, "fox"))).isEqualTo(TINY_ADDNET.substring(0, 12));
    assertThat(lib.shortHash(lib.require(ModelKind.LORA, "old"))).isEqualTo(TINY_SHA256.substring(0, 12));
    assertThat(lib.shortHash(lib.require(ModelKind.CHECKPOINT, "m"))).isEqualTo(TINY_SHA256.substring(0, 10));
    assertThat(ckpt).isNotEqualTo(pt);
  }

  @Test
  void aFileIsHashedOncePerVersionAcrossRunsThroughTheCacheFile() throws IOException {
    Path f = tiny(dir.resolve("Lora/fox.safetensors"));
    Path cache = dir.resolve("home/hashes.tsv");
    assertThat(new FileHashes(Optional.of(cache)).sha256(f)).isEqualTo(TINY_SHA256);
    assertThat(Files.readString(cache)).contains(TINY_SHA256);

    // A forged cache line for the same (path, size, mtime) is believed: proof that the cache is read, not the file.
    String forged = "0".repeat(64);
    Files.writeString(cache, Files.readString(cache).replace(TINY_SHA256, forged));
    assertThat(new FileHashes(Optional.of(cache)).sha256(f)).isEqualTo(forged);

    // A new version (other mtime) is hashed again.
    Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
    assertThat(new FileHashes(Optional.of(cache)).sha256(f)).isEqualTo(TINY_SHA256);
  }

  @Test
  void checkpointArchitecturesAreDetectedFromTheirTensors() throws IOException {
    Files.createDirectories(dir.resolve("Stable-diffusion"));
    Files.copy(Path.of("src/test/resources/fixtures/sd1-small/sd1-small-fp16.safetensors"),
        dir.resolve("Stable-diffusion/sd1.safetensors"));
    Files.copy(Path.of("src/test/resources/fixtures/sd2-small/sd2-small-fp32.safetensors"),
        dir.resolve("Stable-diffusion/sd2.safetensors"));
    // its 32-channel blocks break SD 2.x's 64-channels-per-head rule: the config beside it says so (manifest.json: num_head_channels 32)
    Files.writeString(dir.resolve("Stable-diffusion/sd2.yaml"),
        "model:\n  params:\n    unet_config:\n      params:\n        num_head_channels: 32\n");
    tiny(dir.resolve("Stable-diffusion/lora-by-mistake.safetensors"));
    tiny(dir.resolve("Lora/fox.safetensors"));
    ModelLibrary lib = library(dir);

    assertThat(lib.architecture(lib.require(ModelKind.CHECKPOINT, "sd1"))).contains("SD 1.x");
    assertThat(lib.architecture(lib.require(ModelKind.CHECKPOINT, "sd2"))).contains("SD 2.x");
    assertThat(lib.architecture(lib.require(ModelKind.LORA, "fox"))).isEmpty();
    assertThatThrownBy(() -> lib.architecture(lib.require(ModelKind.CHECKPOINT, "lora-by-mistake")))
        .isInstanceOf(IOException.class).hasMessageContaining("lora-by-mistake");
  }

  @Test
  void anAddnetHashOfSomethingThatIsNoSafetensorsFileIsRefused() throws IOException {
    Path f = Files.write(dir.resolve("x.safetensors"), new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 1});

    assertThatThrownBy(() -> new FileHashes().addnet(f)).isInstanceOf(IOException.class).hasMessageContaining("not a safetensors file");
  }
}
