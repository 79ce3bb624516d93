package io.github.ldm4j.conditioning.clip;

import io.github.ldm4j.conditioning.clip.internal.ByteUnicode;
import io.github.ldm4j.conditioning.clip.internal.TokenizerFiles;
import io.github.ldm4j.conditioning.clip.internal.TokenizerFiles.TokenSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A CLIP BPE vocabulary: tokens and ids, the ranked merges, the special tokens and the context
 * length. Immutable.
 *
 * <p>Sources:
 *
 * <ul>
 *   <li>{@link #openAiClip()}: OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}, shipped in this
 *       module at {@link #DEFAULT_MERGES_RESOURCE} (MIT, see {@code LICENSE-CLIP.txt} next to it).
 *       Built as CLIP's {@code SimpleTokenizer} builds it: the 256 byte symbols, the same with
 *       {@code </w>}, the first 48 894 merges, then {@code <|startoftext|>} (49406) and {@code
 *       <|endoftext|>} (49407): 49 408 tokens, identical to the Hugging Face {@code vocab.json} of
 *       SD v1. Pads with {@code <|endoftext|>} as SD v1; {@link #withPadToken withPadToken("!")}
 *       gives the OpenCLIP / SD 2 convention (pad id 0).
 *   <li>{@link #fromTokenizerDirectory(Path)}: a model's {@code tokenizer/} folder.
 * </ul>
 */
public final class ClipVocabulary {

  /** Classpath location of OpenAI's merges file in this module. */
  public static final String DEFAULT_MERGES_RESOURCE = "/io/github/ldm4j/conditioning/clip/bpe_simple_vocab_16e6.txt.gz";

  /** CLIP's beginning-of-text token. */
  public static final String START_OF_TEXT = "<|startoftext|>";

  /** CLIP's end-of-text token. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  /** CLIP's text context: 77 tokens, BOS and EOS included. */
  public static final int DEFAULT_CONTEXT_LENGTH = 77;

  /** Merges CLIP uses from OpenAI's file: 49152 − 256 − 2. */
  public static final int OPENAI_MERGE_COUNT = 49152 - 256 - 2;

  private final List<String> tokensById;
  private final Map<String, Integer> ids;
  private final List<String[]> merges;
  private final String bos;
  private final String eos;
  private final String pad;
  private final Optional<String> unk;
  private final int contextLength;
  private final String source;

  private ClipVocabulary(
      List<String> tokensById, Map<String, Integer> ids, List<String[]> merges, String bos, String eos,
      String pad, Optional<String> unk, int contextLength, String source) {
    this.tokensById = tokensById;
    this.ids = ids;
    this.merges = merges;
    this.source = source;
    this.bos = requireToken(ids, bos, "BOS (bos_token)", source);
    this.eos = requireToken(ids, eos, "EOS (eos_token)", source);
    this.pad = requireToken(ids, pad, "pad (pad_token)", source);
    this.unk = unk;
    unk.ifPresent(u -> requireToken(ids, u, "unknown (unk_token)", source));
    if (contextLength < 2) {
      throw new IllegalArgumentException("context length must be >= 2 (BOS and EOS), got " + contextLength);
    }
    this.contextLength = contextLength;
  }

  private static String requireToken(Map<String, Integer> ids, String token, String what, String source) {
    Objects.requireNonNull(token, what);
    if (!ids.containsKey(token)) {
      throw new IllegalArgumentException(
          "the " + what + " token '" + token + "' is not in the vocabulary of " + source);
    }
    return token;
  }

  // ------------------------------------------------------------------ sources

  /** OpenAI's CLIP vocabulary from the shipped merges file (loaded once, then shared). */
  public static ClipVocabulary openAiClip() {
    return DefaultHolder.INSTANCE;
  }

  /** Opens the shipped OpenAI merges file (gzip); the caller closes the stream. */
  public static InputStream openDefaultMergesResource() {
    InputStream in = ClipVocabulary.class.getResourceAsStream(DEFAULT_MERGES_RESOURCE);
    if (in == null) {
      throw new IllegalStateException("classpath resource " + DEFAULT_MERGES_RESOURCE + " is missing");
    }
    return in;
  }

  private static final class DefaultHolder {
    static final ClipVocabulary INSTANCE = load();

    private static ClipVocabulary load() {
      try (InputStream in = openDefaultMergesResource()) {
        return fromOpenAiMerges(in, "classpath:" + DEFAULT_MERGES_RESOURCE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + DEFAULT_MERGES_RESOURCE, e);
      }
    }
  }

  /**
   * A vocabulary from an OpenAI-format gzipped merges file ({@code bpe_simple_vocab_16e6.txt.gz}):
   * header line, then the merges, of which the first {@link #OPENAI_MERGE_COUNT} are used.
   *
   * @param gz the gzip stream (not closed here)
   * @param sourceName names the source in error messages
   */
  public static ClipVocabulary fromOpenAiMerges(InputStream gz, String sourceName) throws IOException {
    List<String[]> merges = TokenizerFiles.readOpenAiMerges(gz, OPENAI_MERGE_COUNT, sourceName);
    List<String> tokens = new ArrayList<>(2 * 256 + merges.size() + 2);
    for (int b = 0; b < 256; b++) {
      tokens.add(String.valueOf(byteSymbolInClipOrder(b)));
    }
    for (int b = 0; b < 256; b++) {
      tokens.add(byteSymbolInClipOrder(b) + "</w>");
    }
    for (String[] m : merges) {
      tokens.add(m[0] + m[1]);
    }
    tokens.add(START_OF_TEXT);
    tokens.add(END_OF_TEXT);
    Map<String, Integer> ids = new HashMap<>(tokens.size() * 2);
    for (int i = 0; i < tokens.size(); i++) {
      // CLIP builds dict(zip(vocab, range(len(vocab)))): a repeated token keeps its last id.
      ids.put(tokens.get(i), i);
    }
    return new ClipVocabulary(
        Collections.unmodifiableList(tokens), Collections.unmodifiableMap(ids), Collections.unmodifiableList(merges),
        START_OF_TEXT, END_OF_TEXT, END_OF_TEXT, Optional.empty(), DEFAULT_CONTEXT_LENGTH, sourceName);
  }

  /**
   * CLIP's vocabulary order of the byte symbols: {@code list(bytes_to_unicode().values())}, i.e.
   * the printable bytes first (in byte order), then the others.
   */
  private static char byteSymbolInClipOrder(int index) {
    return BYTE_ORDER[index];
  }

  private static final char[] BYTE_ORDER = clipByteOrder();

  private static char[] clipByteOrder() {
    char[] order = new char[256];
    int k = 0;
    for (int b = 0; b < 256; b++) {
      if (ByteUnicode.charOf(b) == b) {
        order[k++] = (char) b;
      }
    }
    for (int b = 0; b < 256; b++) {
      if (ByteUnicode.charOf(b) != b) {
        order[k++] = ByteUnicode.charOf(b);
      }
    }
    return order;
  }

  /**
   * A model's {@code tokenizer/} folder: {@code vocab.json} and {@code merges.txt}, with {@code
   * special_tokens_map.json} and {@code tokenizer_config.json} when present (in that order of
   * precedence, as {@code transformers} applies them) for the BOS/EOS/pad/unknown tokens and {@code
   * model_max_length}. Defaults: CLIP's tokens, pad = EOS, 77.
   *
   * @throws IllegalArgumentException for missing or malformed files, or special tokens not in the
   *     vocabulary
   */
  public static ClipVocabulary fromTokenizerDirectory(Path directory) throws IOException {
    Objects.requireNonNull(directory, "directory");
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("tokenizer directory " + directory + " does not exist or is not a directory");
    }
    Path config = directory.resolve("tokenizer_config.json");
    Path map = directory.resolve("special_tokens_map.json");
    return fromFiles(
        directory.resolve("vocab.json"), directory.resolve("merges.txt"),
        Files.exists(config) ? Optional.of(config) : Optional.empty(),
        Files.exists(map) ? Optional.of(map) : Optional.empty());
  }

  /**
   * A vocabulary from explicit Hugging Face files (see {@link #fromTokenizerDirectory}).
   *
   * @throws IllegalArgumentException for missing or malformed files, or special tokens not in the
   *     vocabulary
   */
  public static ClipVocabulary fromFiles(
      Path vocabJson, Path mergesTxt, Optional<Path> tokenizerConfig, Optional<Path> specialTokensMap)
      throws IOException {
    requireFile(vocabJson, "vocab.json");
    requireFile(mergesTxt, "merges.txt");
    Map<String, Integer> ids = TokenizerFiles.readVocab(vocabJson);
    List<String[]> merges = TokenizerFiles.readMerges(mergesTxt);
    TokenSettings settings = TokenSettings.NONE;
    if (tokenizerConfig.isPresent()) {
      settings = TokenizerFiles.readTokenSettings(requireFile(tokenizerConfig.get(), "tokenizer_config.json"));
    }
    if (specialTokensMap.isPresent()) {
      settings = TokenizerFiles.readTokenSettings(requireFile(specialTokensMap.get(), "special_tokens_map.json"))
          .orElse(settings);
    }
    int max = ids.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    String[] byId = new String[max + 1];
    ids.forEach((t, id) -> byId[id] = t);
    String eos = settings.eos().orElse(END_OF_TEXT);
    return new ClipVocabulary(
        Collections.unmodifiableList(Arrays.asList(byId)), Collections.unmodifiableMap(ids),
        Collections.unmodifiableList(merges), settings.bos().orElse(START_OF_TEXT), eos,
        settings.pad().orElse(eos), settings.unk(), settings.modelMaxLength().orElse(DEFAULT_CONTEXT_LENGTH),
        vocabJson.getParent() == null ? vocabJson.toString() : vocabJson.getParent().toString());
  }

  private static Path requireFile(Path p, String what) {
    Objects.requireNonNull(p, what);
    if (!Files.isRegularFile(p)) {
      throw new IllegalArgumentException(what + " not found at " + p);
    }
    return p;
  }

  /**
   * Writes this vocabulary as a Hugging Face tokenizer folder: {@code vocab.json}, {@code
   * merges.txt} (with the {@code #version: 0.2} header) and {@code tokenizer_config.json}.
   */
  public void writeTokenizerDirectory(Path directory) throws IOException {
    Files.createDirectories(directory);
    TokenizerFiles.writeVocab(directory.resolve("vocab.json"), tokensById);
    TokenizerFiles.writeMerges(directory.resolve("merges.txt"), merges);
    TokenizerFiles.writeTokenizerConfig(
        directory.resolve("tokenizer_config.json"), bos, eos, pad, unk.orElse(eos), contextLength);
  }

  // ------------------------------------------------------------------ variants

  /**
   * This vocabulary padding with {@code token} instead ({@code "!"}, id 0, for OpenCLIP-style SD 2
   * tokenizers).
   *
   * @throws IllegalArgumentException when {@code token} is not in the vocabulary
   */
  public ClipVocabulary withPadToken(String token) {
    return new ClipVocabulary(tokensById, ids, merges, bos, eos, token, unk, contextLength, source);
  }

  /** This vocabulary with another context length (BOS and EOS included). */
  public ClipVocabulary withContextLength(int length) {
    return new ClipVocabulary(tokensById, ids, merges, bos, eos, pad, unk, length, source);
  }

  // ------------------------------------------------------------------ queries

  /** Number of token ids (one more than the largest id). */
  public int size() {
    return tokensById.size();
  }

  /** The id of an exact vocabulary entry. */
  public OptionalInt id(String token) {
    Integer id = ids.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The token of {@code id}, if the vocabulary has one. */
  public Optional<String> token(int id) {
    return id >= 0 && id < tokensById.size() ? Optional.ofNullable(tokensById.get(id)) : Optional.empty();
  }

  /** Token → id (unmodifiable). */
  public Map<String, Integer> tokenIds() {
    return ids;
  }

  /** The merges in rank order, each a copy of its two symbols. */
  public List<String[]> merges() {
    return merges.stream().map(String[]::clone).toList();
  }

  /** Number of merges. */
  public int mergeCount() {
    return merges.size();
  }

  /** The beginning-of-text token. */
  public String bosToken() {
    return bos;
  }

  /** The end-of-text token. */
  public String eosToken() {
    return eos;
  }

  /** The padding token. */
  public String padToken() {
    return pad;
  }

  /** The unknown token, when the files name one. */
  public Optional<String> unkToken() {
    return unk;
  }

  /** Ids per encoder row, BOS and EOS included. */
  public int contextLength() {
    return contextLength;
  }

  /** Where the vocabulary came from (for messages). */
  public String source() {
    return source;
  }

  List<String[]> mergesView() {
    return merges;
  }

  List<String> tokensView() {
    return tokensById;
  }

  @Override
  public String toString() {
    return "ClipVocabulary[" + size() + " tokens, " + merges.size() + " merges, bos=" + bos + ", eos=" + eos
        + ", pad=" + pad + ", context=" + contextLength + ", from " + source + "]";
  }
}
