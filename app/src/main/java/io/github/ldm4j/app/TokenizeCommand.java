package io.github.ldm4j.app;

import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ldm4j tokenize --prompt TEXT [--model DIR]}: the CLIP ids, BOS/EOS included, unpadded. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
    description = "Prints the CLIP token ids of a prompt (BOS and EOS included, no padding) as a JSON array.")
final class TokenizeCommand implements Callable<Integer> {

  @Option(names = "--prompt", required = true, description = "The text to tokenize.")
  String prompt;

  @Option(names = "--model", description = "A model folder whose tokenizer/ to use (default: OpenAI CLIP's vocabulary).")
  Path model;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    ClipTokenizer tok = ClipTokenizer.openAiClip();
    if (model != null) {
      if (!Files.isDirectory(model)) {
        throw new NoSuchFileException("--model " + model, null, "the model folder does not exist");
      }
      Path dir = model.resolve("tokenizer");
      if (!Files.isDirectory(dir)) {
        throw new NoSuchFileException("--model " + model, null, "the model folder has no tokenizer/ folder");
      }
      tok = new ClipTokenizer(ClipVocabulary.fromTokenizerDirectory(dir));
    }
    int[] body = tok.tokenize(prompt);
    int[] ids = new int[body.length + 2];
    ids[0] = tok.bosId();
    System.arraycopy(body, 0, ids, 1, body.length);
    ids[ids.length - 1] = tok.eosId();
    System.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]")));
    return 0;
  }
}
