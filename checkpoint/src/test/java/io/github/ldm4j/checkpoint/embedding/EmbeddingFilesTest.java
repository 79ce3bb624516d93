package io.github.ldm4j.checkpoint.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.library.FileHashes;
import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.checkpoint.library.ModelLibrary;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EmbeddingFiles} on the files {@code checkpoint/src/test/python/gen_embedding.py} wrote with
 * torch ({@code fixtures/embedding}: A1111 {@code .pt}, {@code emb_params} safetensors, SDXL {@code
 * clip_l}/{@code clip_g}, diffusers {@code learned_embeds.bin}) and on broken ones.
 */
class EmbeddingFilesTest {

  @TempDir Path dir;

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(EmbeddingFilesTest.class.getResource("/fixtures/embedding/" + name).toURI());
  }

  /** The vectors gen_embedding.py recorded for embedding {@code name}. */
  static Tensor vectors(String name) throws Exception {
    JsonNode t = new ObjectMapper().readTree(fixture("manifest.json").toFile()).path("tensors").path("vectors_" + name);
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(fixture(t.path("file").asText()))).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[b.remaining() / 4];
    b.asFloatBuffer().get(v);
    return Tensor.of(v, t.path("shape").get(0).asInt(), t.path("shape").get(1).asInt());
  }

  @Test
  void readsA1111PtThroughTheRestrictedUnpickler() throws Exception {
    TextualInversion ti = EmbeddingFiles.read(fixture("myemb.pt"));
    assertThat(ti.name()).isEqualTo("myemb");
    assertThat(ti.vectorCount()).isEqualTo(3);
    assertThat(ti.width()).isEqualTo(64);
    assertThat(ti.vectors().toArray()).containsExactly(vectors("myemb").toArray());
    assertThat(ti.source()).contains("myemb.pt");
  }

  @Test
  void readsEmbParamsSafetensors() throws Exception {
    TextualInversion ti = EmbeddingFiles.read(fixture("twovec.safetensors"));
    assertThat(ti.name()).isEqualTo("twovec");
    assertThat(ti.vectors().toArray()).containsExactly(vectors("twovec").toArray());
  }

  @Test
  void readsTheClipLVectorsOfAnSdxlEmbedding() throws Exception {
    TextualInversion ti = EmbeddingFiles.read(fixture("sdxl.safetensors"));
    assertThat(ti.vectorCount()).isEqualTo(2);
    assertThat(ti.width()).isEqualTo(768);
    assertThat(ti.source()).contains("clip_l").contains("SDXL");
  }

  @Test
  void readsTheDiffusersSingleTokenForm() throws Exception {
    TextualInversion ti = EmbeddingFiles.read(fixture("learned_embeds.bin"));
    assertThat(ti.name()).isEqualTo("learned_embeds");
    assertThat(ti.vectorCount()).isEqualTo(1);
    assertThat(ti.width()).isEqualTo(64);
  }

  @Test
  void aFileWithoutAnEmbeddingIsAnErrorNamingTheFileAndItsTensors() throws Exception {
    Path lora = dir.resolve("lora.safetensors");
    Tensor t = Tensor.zeros(2, 4);
    new SafetensorsWriter().add("lora_unet_x.lora_up.weight", t).add("lora_unet_x.lora_down.weight", t).write(lora);
    assertThatThrownBy(() -> EmbeddingFiles.read(lora)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageStartingWith(lora + ": ").hasMessageContaining("no textual-inversion embedding")
        .hasMessageContaining("lora_unet_x.lora_up.weight");
  }

  @Test
  void truncatedFilesAreErrorsNamingTheFile() throws Exception {
    for (String name : new String[] {"myemb.pt", "twovec.safetensors"}) {
      byte[] all = Files.readAllBytes(fixture(name));
      for (int len : new int[] {0, 1, 9, all.length / 2, all.length - 1}) {
        Path cut = Files.write(dir.resolve("cut-" + len + "-" + name), Arrays.copyOf(all, len));
        assertThatThrownBy(() -> EmbeddingFiles.read(cut)).as("%s cut to %d bytes", name, len)
            .isInstanceOf(CheckpointFormatException.class).hasMessageStartingWith(cut + ": ");
      }
    }
  }

  @Test
  void nonFiniteVectorsAreRefused() throws Exception {
    Path f = dir.resolve("nan.safetensors");
    new SafetensorsWriter().add("emb_params", Tensor.of(new float[] {1, Float.NaN}, 1, 2)).write(f);
    assertThatThrownBy(() -> EmbeddingFiles.read(f)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("non-finite");
  }

  @Test
  void integerAndWrongRankTensorsAreRefused() throws Exception {
    Path ints = dir.resolve("ints.safetensors");
    new SafetensorsWriter().add("emb_params", DType.I32, new long[] {1, 2}, MemorySegment.ofArray(new byte[8])).write(ints);
    assertThatThrownBy(() -> EmbeddingFiles.read(ints)).hasMessageContaining("I32");
    Path cube = dir.resolve("cube.safetensors");
    new SafetensorsWriter().add("emb_params", Tensor.zeros(1, 2, 2)).write(cube);
    assertThatThrownBy(() -> EmbeddingFiles.read(cube)).hasMessageContaining("[1, 2, 2]");
    Path many = dir.resolve("many.safetensors");
    new SafetensorsWriter().add("emb_params", Tensor.zeros(76, 2)).write(many);
    assertThatThrownBy(() -> EmbeddingFiles.read(many)).hasMessageContaining("76 vectors");
  }

  @Test
  void aLibraryIsReadFileByFileWithProblemsReportedNotThrown() throws Exception {
    Path emb = Files.createDirectories(dir.resolve("models/embeddings/sub"));
    Files.copy(fixture("myemb.pt"), emb.resolve("myemb.pt"));
    Files.copy(fixture("twovec.safetensors"), emb.getParent().resolve("twovec.safetensors"));
    Files.copy(fixture("twovec.safetensors"), emb.resolve("TwoVec.safetensors"));
    Files.write(emb.getParent().resolve("broken.pt"), new byte[] {(byte) 0x80, 2});
    ModelLibrary lib = new ModelLibrary(ModelLibrary.folders(dir.resolve("models"), Map.of()), new FileHashes());
    EmbeddingFiles.Loaded loaded = EmbeddingFiles.readAll(lib.list(ModelKind.EMBEDDING));
    // twovec and sub/TwoVec share a name (A1111 names by file name, case-insensitively here): one is skipped
    assertThat(loaded.embeddings()).extracting(t -> t.name().toLowerCase(java.util.Locale.ROOT))
        .containsExactlyInAnyOrder("myemb", "twovec");
    assertThat(loaded.files()).hasSize(2).containsKey("myemb");
    assertThat(loaded.problems()).hasSize(2).anySatisfy(p -> assertThat(p).contains("broken.pt"))
        .anySatisfy(p -> assertThat(p).containsIgnoringCase("twovec.safetensors").contains("already has the name"));
  }

  @Test
  void aWideEmbeddingReadsFineItsWidthIsCheckedAgainstTheModel() throws IOException, URISyntaxException {
    assertThat(EmbeddingFiles.read(fixture("wide.pt")).width()).isEqualTo(1024);
  }
}
