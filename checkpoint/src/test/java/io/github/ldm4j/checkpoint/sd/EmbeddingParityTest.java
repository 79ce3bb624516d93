package io.github.ldm4j.checkpoint.sd;

import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.embedding.EmbeddingFiles;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.conditioning.text.ClipCondStage;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.Backends;
import io.github.ldm4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Textual-inversion parity: the fixture {@code fixtures/embedding} ({@code
 * checkpoint/src/test/python/gen_embedding.py}) ran openai/CLIP's text model on the {@code cli-sd1}
 * checkpoint's text encoder with the embeddings' vectors written into the token-embedding sequence
 * where the prompt names them; ldm4j — the checkpoint converted by {@link SdFolderExport}, the
 * embedding files read by {@link EmbeddingFiles}, opened by {@link ModelAssembler} with the
 * embeddings (the token-embedding table extended at session creation) — gives the same conditioning.
 */
class EmbeddingParityTest {

  @TempDir static Path dir;

  static JsonNode manifest;
  static Path folder;

  @BeforeAll
  static void convert() throws Exception {
    manifest = new ObjectMapper().readTree(Sd1FixtureParityTest.resource("/fixtures/embedding/manifest.json").toFile());
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource("/fixtures/cli-sd1/cli-sd1.safetensors"))) {
      SdCheckpoint c = SdCheckpoint.of(dict);
      folder = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
          SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, 64, Parameterization.EPS)
          .write(c, dir.resolve("model"), WriteProgress.NONE).root();
    }
  }

  private static TextualInversion file(String name) throws Exception {
    return EmbeddingFiles.read(Sd1FixtureParityTest.resource("/fixtures/embedding/" + name));
  }

  private static Generator open(List<TextualInversion> embeddings) throws Exception {
    return ModelAssembler.open(folder, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS, Backends::find,
        embeddings);
  }

  private static Tensor ref(String name) throws Exception {
    return Sd1FixtureParityTest.read(manifest, name, "/fixtures/embedding/");
  }

  @Test
  void promptsNamingEmbeddingsGiveTheReferenceConditioning() throws Exception {
    List<TextualInversion> embeddings = List.of(file("myemb.pt"), file("twovec.safetensors"), file("wide.pt"),
        file("sdxl.safetensors"));
    try (Generator g = open(embeddings); Generator plain = open(List.of())) {
      ClipCondStage stage = (ClipCondStage) g.model().condStage();
      ClipCondStage plainStage = (ClipCondStage) plain.model().condStage();
      for (JsonNode c : manifest.path("cases")) {
        String prompt = c.path("prompt").asText();
        Tensor expected = ref(c.path("tensor").asText());
        Tensor actual = stage.encode(List.of(prompt)).context();
        assertClose("TI " + prompt, expected, actual);
        Tensor asText = plainStage.encode(List.of(prompt)).context();
        if (c.path("embedding_positions").isEmpty()) {
          // no embedding named: the extended table changes nothing
          assertThat(actual.toArray()).containsExactly(asText.toArray());
        } else {
          // without the embeddings the names are plain words, and the conditioning differs clearly
          assertThat(asText.maxAbsDiff(expected)).as("%s read as text", prompt).isGreaterThan(1.0);
        }
      }
      GenerationRequest r = new GenerationRequest.TextToImage("a photo of myemb", "twovec, blurry",
          GenerationSettings.DEFAULTS);
      assertThat(g.embeddingsIn(r)).extracting(TextualInversion::name).containsExactly("myemb", "twovec");
      assertThat(plain.embeddingsIn(r)).isEmpty();
    }
  }

  @Test
  void anEmbeddingOfAnotherWidthIsAnErrorNamingTheFileOnlyWhenAPromptUsesIt() throws Exception {
    try (Generator g = open(List.of(file("myemb.pt"), file("wide.pt"), file("sdxl.safetensors")))) {
      ClipCondStage stage = (ClipCondStage) g.model().condStage();
      assertThat(stage.encode(List.of("a photo of myemb")).context().dim(1)).isEqualTo(77);
      assertThatThrownBy(() -> stage.encode(List.of("a wide hill"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("wide.pt").hasMessageContaining("1024").hasMessageContaining("64");
      assertThatThrownBy(() -> stage.encodeWithNegative(List.of("a hill"), "sdxl"))
          .hasMessageContaining("sdxl.safetensors").hasMessageContaining("clip_l").hasMessageContaining("768");
    }
  }

  /** The onnx backend as one that cannot replace initializers (as OpenVINO). */
  private record NoReplacing(BackendProvider onnx) implements BackendProvider {
    @Override
    public String name() {
      return "no-replacing";
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public java.util.Set<io.github.ldm4j.folder.ModelFolder.Format> formats() {
      return onnx.formats();
    }

    @Override
    public io.github.ldm4j.spi.NetworkSet open(io.github.ldm4j.spi.NetworkRequest request) throws java.io.IOException {
      assertThat(request.overrides().isEmpty()).isTrue();
      return onnx.open(request);
    }

    @Override
    public io.github.ldm4j.spi.NetworkDescription describe(io.github.ldm4j.folder.ModelFolder folder,
        io.github.ldm4j.folder.ModelComponent component, BackendOptions options) throws java.io.IOException {
      return onnx.describe(folder, component, options);
    }
  }

  @Test
  void aTextEncoderThatCannotBeExtendedOpensButAPromptNamingAnEmbeddingSaysWhy() throws Exception {
    BackendProvider onnx = Backends.find("onnx");
    try (Generator g = ModelAssembler.open(folder, "no-replacing", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS,
        name -> new NoReplacing(onnx), List.of(file("myemb.pt")))) {
      ClipCondStage stage = (ClipCondStage) g.model().condStage();
      assertClose("plain prompt", ref("c2"), stage.encode(List.of(manifest.path("cases").get(2).path("prompt").asText()))
          .context());
      assertThatThrownBy(() -> stage.encode(List.of("a photo of myemb"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("myemb.pt").hasMessageContaining("'no-replacing' backend")
          .hasMessageContaining("cannot extend its token-embedding table");
    }
  }

  @Test
  void aFloat16TextEncoderTakesTheEmbeddingsAsFloat16Rows() throws Exception {
    Path fp16;
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource("/fixtures/cli-sd1/cli-sd1.safetensors"))) {
      fp16 = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), io.github.ldm4j.export.folder.Precision.FP16,
          SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, 64, Parameterization.EPS)
          .write(SdCheckpoint.of(dict), dir.resolve("fp16"), WriteProgress.NONE).root();
    }
    try (Generator g = ModelAssembler.open(fp16, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS,
        Backends::find, List.of(file("myemb.pt")))) {
      ClipCondStage stage = (ClipCondStage) g.model().condStage();
      Tensor expected = ref("c0");
      Tensor actual = stage.encode(List.of(manifest.path("cases").get(0).path("prompt").asText())).context();
      // float16 weights, activations and vectors: agreement to float16 precision (measured 0.0037 of max |ref| 2.95;
      // the prompt read as text is 2.5 away)
      assertThat(actual.maxAbsDiff(expected)).isLessThan(0.02);
    }
  }
}
