package io.github.ldm4j.app;

import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.conditioning.prompt.ExtraNetworks;
import io.github.ldm4j.conditioning.prompt.PromptParser;
import io.github.ldm4j.conditioning.prompt.PromptSegment;
import io.github.ldm4j.conditioning.prompt.PromptSyntax;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ldm4j tokenize --prompt TEXT [--model DIR] [--raw] [--weights]}: the CLIP ids, BOS/EOS
 * included, unpadded, of the text the text encoder sees — AUTOMATIC1111's attention syntax and
 * extra-network tags read as {@code generate} reads them ({@link PromptParser}, {@link
 * ExtraNetworks}), each parsed piece tokenized on its own as A1111 does, or the text literally with
 * {@code --raw}.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
    description = "Prints the CLIP token ids of a prompt (BOS and EOS included, no padding) as a JSON array. The prompt "
        + "is read as generate reads it: A1111 attention syntax ((word:1.2), [word], BREAK) and <lora:…> tags are "
        + "taken out of the text; --raw tokenizes it literally.")
final class TokenizeCommand implements Callable<Integer> {

  @Option(names = "--prompt", required = true, description = "The text to tokenize.")
  String prompt;

  @Option(names = "--raw", description = "Tokenize the text literally (no attention syntax, no tags).")
  boolean raw;

  @Option(names = "--weights", description = "Print {\"ids\":[…],\"weights\":[…]}: each token's attention weight too "
      + "(BOS and EOS 1; BREAK is not shown).")
  boolean weights;

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
    List<PromptSegment.Text> pieces = raw ? List.of(new PromptSegment.Text(prompt, 1))
        : PromptParser.parse(ExtraNetworks.parse(prompt).prompt(), PromptSyntax.A1111).stream()
            .flatMap(p -> p instanceof PromptSegment.Text t ? java.util.stream.Stream.of(t) : java.util.stream.Stream.empty())
            .toList();
    List<Integer> ids = new ArrayList<>(List.of(tok.bosId()));
    List<Double> w = new ArrayList<>(List.of(1.0));
    for (PromptSegment.Text t : pieces) {
      for (int id : tok.tokenize(t.text())) {
        ids.add(id);
        w.add(t.weight());
      }
    }
    ids.add(tok.eosId());
    w.add(1.0);
    String idJson = ids.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    System.out.println(!weights ? idJson
        : "{\"ids\":" + idJson + ",\"weights\":" + w.stream().map(TokenizeCommand::number)
            .collect(Collectors.joining(",", "[", "]")) + "}");
    return 0;
  }

  /** A weight as JSON: integers without a fraction, else the shortest double. */
  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
