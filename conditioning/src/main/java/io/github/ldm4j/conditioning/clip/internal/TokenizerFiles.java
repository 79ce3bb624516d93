package io.github.ldm4j.conditioning.clip.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.GZIPInputStream;

/**
 * Readers and writers of tokenizer files: OpenAI's gzipped BPE merges, and the Hugging Face
 * {@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json} and {@code
 * special_tokens_map.json}. Malformed content is an {@link IllegalArgumentException} naming the
 * file and what was expected.
 */
public final class TokenizerFiles {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  /** {@code model_max_length} values above this are Hugging Face's "no limit" sentinel. */
  private static final double NO_LIMIT = 1e6;

  private TokenizerFiles() {}

  /** Special-token settings of {@code tokenizer_config.json} / {@code special_tokens_map.json}. */
  public record TokenSettings(
      Optional<String> bos, Optional<String> eos, Optional<String> pad, Optional<String> unk,
      OptionalInt modelMaxLength) {

    /** No settings. */
    public static final TokenSettings NONE =
        new TokenSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), OptionalInt.empty());

    /** These settings, each one that is absent taken from {@code fallback}. */
    public TokenSettings orElse(TokenSettings fallback) {
      return new TokenSettings(
          bos.or(fallback::bos), eos.or(fallback::eos), pad.or(fallback::pad), unk.or(fallback::unk),
          modelMaxLength.isPresent() ? modelMaxLength : fallback.modelMaxLength);
    }
  }

  /**
   * The first {@code count} merges of OpenAI's gzipped merges file (its first line is a header),
   * as CLIP's {@code SimpleTokenizer} reads it.
   */
  public static List<String[]> readOpenAiMerges(InputStream gz, int count, String where) throws IOException {
    List<String[]> merges = new ArrayList<>(count);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(gz), StandardCharsets.UTF_8))) {
      String header = r.readLine();
      if (header == null) {
        throw new IllegalArgumentException(where + " is empty; expected a header line and " + count + " merges");
      }
      int line = 1;
      for (String s; merges.size() < count && (s = r.readLine()) != null; ) {
        line++;
        merges.add(parseMerge(s, where, line));
      }
    }
    if (merges.size() < count) {
      throw new IllegalArgumentException(where + " holds " + merges.size() + " merges; CLIP uses the first " + count);
    }
    return merges;
  }

  /** A Hugging Face {@code merges.txt}: an optional {@code #version} header, then one "a b" pair per line. */
  public static List<String[]> readMerges(Path file) throws IOException {
    String where = file.toString();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IllegalArgumentException(where + " is not UTF-8 text (" + e.getMessage() + ")", e);
    }
    List<String[]> merges = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String s = lines.get(i);
      if ((i == 0 && s.startsWith("#version")) || s.isEmpty()) {
        continue;
      }
      merges.add(parseMerge(s, where, i + 1));
    }
    if (merges.isEmpty()) {
      throw new IllegalArgumentException(where + " holds no merges; expected lines of two space-separated symbols");
    }
    return merges;
  }

  private static String[] parseMerge(String s, String where, int line) {
    int sp = s.indexOf(' ');
    if (sp <= 0 || sp == s.length() - 1 || s.indexOf(' ', sp + 1) >= 0) {
      throw new IllegalArgumentException(
          where + " line " + line + ": expected two space-separated symbols, got '" + s + "'");
    }
    return new String[] {s.substring(0, sp), s.substring(sp + 1)};
  }

  /** A Hugging Face {@code vocab.json}: one object of token → non-negative id, ids unique. */
  public static Map<String, Integer> readVocab(Path file) throws IOException {
    JsonNode root = readJson(file);
    if (!root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object of token -> id, got " + root.getNodeType());
    }
    if (root.isEmpty()) {
      throw new IllegalArgumentException(file + ": the vocabulary is empty");
    }
    Map<String, Integer> vocab = new LinkedHashMap<>(root.size() * 2);
    Map<Integer, String> seen = new HashMap<>(root.size() * 2);
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      JsonNode v = e.getValue();
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
        throw new IllegalArgumentException(
            file + ": the id of token '" + e.getKey() + "' must be a non-negative integer, got " + v);
      }
      String previous = seen.put(v.intValue(), e.getKey());
      if (previous != null) {
        throw new IllegalArgumentException(
            file + ": id " + v.intValue() + " is given to both '" + previous + "' and '" + e.getKey() + "'");
      }
      vocab.put(e.getKey(), v.intValue());
    }
    return vocab;
  }

  /** Special-token settings from a {@code tokenizer_config.json} or {@code special_tokens_map.json}. */
  public static TokenSettings readTokenSettings(Path file) throws IOException {
    JsonNode root = readJson(file);
    if (!root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object, got " + root.getNodeType());
    }
    OptionalInt maxLength = OptionalInt.empty();
    JsonNode ml = root.get("model_max_length");
    if (ml != null && !ml.isNull()) {
      if (!ml.isNumber()) {
        throw new IllegalArgumentException(file + ": model_max_length must be a number, got " + ml);
      }
      double v = ml.doubleValue();
      if (v <= NO_LIMIT) {
        if (v < 2 || v != Math.rint(v)) {
          throw new IllegalArgumentException(
              file + ": model_max_length must be an integer >= 2 (BOS and EOS), got " + ml);
        }
        maxLength = OptionalInt.of((int) v);
      }
    }
    return new TokenSettings(
        token(root, "bos_token", file), token(root, "eos_token", file), token(root, "pad_token", file),
        token(root, "unk_token", file), maxLength);
  }

  private static Optional<String> token(JsonNode root, String field, Path file) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (v.isTextual()) {
      return Optional.of(requireNonEmpty(v.textValue(), field, file));
    }
    if (v.isObject() && v.get("content") != null && v.get("content").isTextual()) {
      return Optional.of(requireNonEmpty(v.get("content").textValue(), field, file));
    }
    throw new IllegalArgumentException(
        file + ": " + field + " must be a string or an object with a string 'content', got " + v);
  }

  private static String requireNonEmpty(String s, String field, Path file) {
    if (s.isEmpty()) {
      throw new IllegalArgumentException(file + ": " + field + " must not be empty");
    }
    return s;
  }

  private static JsonNode readJson(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (new String(bytes, StandardCharsets.UTF_8).isBlank()) {
      throw new IllegalArgumentException(file + " is empty; expected a JSON object");
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new IllegalArgumentException(file + " is empty; expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      // e.g. CharConversionException: bytes that Jackson's encoding detection takes for invalid UTF-32
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Writes {@code vocab.json} (tokens in id order). */
  public static void writeVocab(Path file, List<String> tokensById) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    for (int id = 0; id < tokensById.size(); id++) {
      if (tokensById.get(id) != null) {
        root.put(tokensById.get(id), id);
      }
    }
    Files.write(file, JSON.writeValueAsBytes(root));
  }

  /** Writes {@code merges.txt} with the {@code #version: 0.2} header. */
  public static void writeMerges(Path file, List<String[]> merges) throws IOException {
    StringBuilder sb = new StringBuilder(merges.size() * 12);
    sb.append("#version: 0.2\n");
    for (String[] m : merges) {
      sb.append(m[0]).append(' ').append(m[1]).append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  /** Writes a {@code tokenizer_config.json} with the special tokens and {@code model_max_length}. */
  public static void writeTokenizerConfig(Path file, String bos, String eos, String pad, String unk, int maxLength)
      throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("bos_token", bos);
    root.put("eos_token", eos);
    root.put("pad_token", pad);
    root.put("unk_token", unk);
    root.put("model_max_length", maxLength);
    root.put("tokenizer_class", "CLIPTokenizer");
    Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }
}
