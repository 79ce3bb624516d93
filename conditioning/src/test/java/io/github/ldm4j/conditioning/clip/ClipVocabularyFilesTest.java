package io.github.ldm4j.conditioning.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a model's Hugging Face {@code tokenizer/} folder, and its errors. */
class ClipVocabularyFilesTest {

  @TempDir static Path written;
  @TempDir Path dir;

  @BeforeAll
  static void writeOnce() throws IOException {
    ClipVocabulary.openAiClip().writeTokenizerDirectory(written);
  }

  @BeforeEach
  void writeDefaultFiles() throws IOException {
    for (String f : List.of("vocab.json", "merges.txt", "tokenizer_config.json")) {
      Files.copy(written.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void roundTripsTheDefaultVocabulary() throws IOException {
    assertThat(Files.readAllLines(dir.resolve("merges.txt")).getFirst()).isEqualTo("#version: 0.2");
    ClipVocabulary loaded = ClipVocabulary.fromTokenizerDirectory(dir);
    assertThat(loaded.size()).isEqualTo(49408);
    assertThat(loaded.mergeCount()).isEqualTo(48894);
    assertThat(loaded.padToken()).isEqualTo("<|endoftext|>");
    assertThat(loaded.contextLength()).isEqualTo(77);
    ClipTokenizer fromFiles = new ClipTokenizer(loaded);
    ClipTokenizer reference = ClipTokenizer.openAiClip();
    for (String s : List.of("a photo of a cat", "Ångström &amp; 東京 🐱 it's 1,000!", "<|startoftext|>x")) {
      assertThat(fromFiles.encode(s)).isEqualTo(reference.encode(s));
    }
  }

  @Test
  void sd2StylePadTokenFromTokenizerConfig() throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), """
        {"bos_token": {"__type": "AddedToken", "content": "<|startoftext|>"},
         "eos_token": "<|endoftext|>", "pad_token": "!", "model_max_length": 77}""");
    ClipTokenizer t = new ClipTokenizer(ClipVocabulary.fromTokenizerDirectory(dir));
    assertThat(t.padId()).isZero();
    assertThat(t.encode("a cat").ids()).startsWith(49406, 320, 2368, 49407, 0, 0);
  }

  @Test
  void specialTokensMapTakesPrecedenceOverTokenizerConfig() throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<|endoftext|>\"}");
    Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": {\"content\": \"!\"}}");
    assertThat(ClipVocabulary.fromTokenizerDirectory(dir).padToken()).isEqualTo("!");
  }

  @Test
  void modelMaxLength() throws IOException {
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 1000000000000000019884624838656}");
    assertThat(ClipVocabulary.fromTokenizerDirectory(dir).contextLength()).isEqualTo(77);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 12}");
    ClipTokenizer t = new ClipTokenizer(ClipVocabulary.fromTokenizerDirectory(dir));
    assertThat(t.encode("one two three four five six seven eight nine ten eleven").droppedTokens()).isEqualTo(1);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 1}");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model_max_length");
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": \"77\"}");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model_max_length");
  }

  @Test
  void padTokenMissingFromVocabulary() throws IOException {
    Files.writeString(dir.resolve("special_tokens_map.json"), "{\"pad_token\": \"<pad>\"}");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pad").hasMessageContaining("'<pad>'").hasMessageContaining("not in the vocabulary");
    assertThatThrownBy(() -> ClipVocabulary.openAiClip().withPadToken("<pad>"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<pad>");
  }

  @Test
  void malformedJson() throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 1,");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocab.json").hasMessageContaining("not valid JSON");
    writeDefaultFiles();
    Files.writeString(dir.resolve("tokenizer_config.json"), "{pad_token: !}");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tokenizer_config.json").hasMessageContaining("not valid JSON");
  }

  @Test
  void emptyFiles() throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocab.json").hasMessageContaining("empty");
    Files.writeString(dir.resolve("vocab.json"), "{}");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    writeDefaultFiles();
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merges.txt").hasMessageContaining("no merges");
    Files.writeString(dir.resolve("merges.txt"), "");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no merges");
  }

  @Test
  void malformedVocabularyAndMerges() throws IOException {
    Files.writeString(dir.resolve("vocab.json"), "[1, 2]");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object");
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": \"x\"}");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'").hasMessageContaining("integer");
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 0}");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id 0");
    Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"a\": 1}");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocab.json");
    writeDefaultFiles();
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\nt h e\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 3").hasMessageContaining("'t h e'");
  }

  @Test
  void mergeResultMissingFromVocabulary() throws IOException {
    Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\ni n\nq z\n");
    ClipVocabulary v = ClipVocabulary.fromTokenizerDirectory(dir);
    assertThatThrownBy(() -> new ClipTokenizer(v))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merge 1").hasMessageContaining("'qz'");
  }

  @Test
  void missingFilesAndDirectory() throws IOException {
    Files.delete(dir.resolve("merges.txt"));
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merges.txt not found");
    assertThatThrownBy(() -> ClipVocabulary.fromTokenizerDirectory(dir.resolve("nope")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> ClipVocabulary.fromFiles(dir.resolve("vocab.json"), dir.resolve("x.txt"),
        Optional.empty(), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("merges.txt not found");
  }

  @Test
  void openAiMergesStreamTooShort() {
    byte[] gz = gzip("header\ni n\n");
    assertThatThrownBy(() -> ClipVocabulary.fromOpenAiMerges(new java.io.ByteArrayInputStream(gz), "tiny.gz"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tiny.gz").hasMessageContaining("1 merges");
  }

  private static byte[] gzip(String s) {
    try {
      var bytes = new java.io.ByteArrayOutputStream();
      try (var out = new java.util.zip.GZIPOutputStream(bytes)) {
        out.write(s.getBytes(StandardCharsets.UTF_8));
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
