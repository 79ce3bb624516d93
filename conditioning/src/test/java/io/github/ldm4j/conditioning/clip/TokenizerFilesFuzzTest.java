package io.github.ldm4j.conditioning.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@link ClipVocabulary#fromTokenizerDirectory} of a model's {@code tokenizer/} folder whose files
 * ({@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json}, {@code
 * special_tokens_map.json}) hold arbitrary bytes — the input cut at its first three NUL bytes, so a
 * seed is the four files joined by NULs; an empty part leaves that optional file out. The only allowed
 * outcomes are an {@link IllegalArgumentException} or {@link IOException} (what {@link
 * ClipTokenizer#forModel} turns into an {@code IOException} naming the folder) or a vocabulary whose
 * tokenizer turns a prompt into ids of the vocabulary. Any other exception, a hang or running out of
 * memory is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in regression mode over the committed corpus ({@code
 * src/test/resources/io/github/ldm4j/conditioning/clip/TokenizerFilesFuzzTestInputs/loadArbitraryFiles/}).
 * To fuzz, see conditioning/README.md.
 */
class TokenizerFilesFuzzTest {

  private static final Path DIR = tempDir();

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("ldm4j-tokenizer-fuzz");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void loadArbitraryFiles(byte[] input) throws IOException {
    String[] names = {"vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"};
    int from = 0;
    for (int k = 0; k < names.length; k++) {
      int to = from;
      while (to < input.length && (k == names.length - 1 || input[to] != 0)) {
        to++;
      }
      byte[] part = Arrays.copyOfRange(input, Math.min(from, input.length), Math.min(to, input.length));
      Path file = DIR.resolve(names[k]);
      if (k >= 2 && part.length == 0) {
        Files.deleteIfExists(file);
      } else {
        Files.write(file, part);
      }
      from = to + 1;
    }
    ClipVocabulary vocabulary;
    try {
      vocabulary = ClipVocabulary.fromTokenizerDirectory(DIR);
    } catch (IllegalArgumentException | IOException expected) {
      assertThat(expected.getMessage()).as("names the file").contains(DIR.toString());
      return;
    }
    ClipTokenizer tokenizer;
    try {
      tokenizer = new ClipTokenizer(vocabulary);
    } catch (IllegalArgumentException expected) {
      return;
    }
    assertThat(tokenizer.contextLength()).isGreaterThanOrEqualTo(2);
    for (int id : tokenizer.tokenize("a photo of a cat, (red:1.2) 123 ü")) {
      assertThat(id).isBetween(0, tokenizer.vocabularySize() - 1);
    }
  }
}
