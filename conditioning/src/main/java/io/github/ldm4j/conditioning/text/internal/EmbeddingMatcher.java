package io.github.ldm4j.conditioning.text.internal;

import io.github.ldm4j.conditioning.Tokenizer;
import io.github.ldm4j.conditioning.embedding.EmbeddingTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds embedding names in a tokenized prompt as A1111's {@code EmbeddingDatabase} does: each name
 * is tokenized on its own, and a prompt position matches an embedding when the prompt's tokens
 * there equal the name's tokens (the longest name first among those sharing a first token).
 */
public final class EmbeddingMatcher {

  /** Matches nothing. */
  public static final EmbeddingMatcher NONE = new EmbeddingMatcher(Map.of());

  /**
   * A match.
   *
   * @param entry the embedding
   * @param promptTokens how many prompt tokens its name takes
   */
  public record Match(EmbeddingTable.Entry entry, int promptTokens) {}

  private record Candidate(int[] ids, EmbeddingTable.Entry entry) {}

  private final Map<Integer, List<Candidate>> byFirstToken;

  private EmbeddingMatcher(Map<Integer, List<Candidate>> byFirstToken) {
    this.byFirstToken = byFirstToken;
  }

  /** The names of {@code table} as {@code tokenizer} splits them. */
  public static EmbeddingMatcher of(Tokenizer tokenizer, EmbeddingTable table) {
    if (table.isEmpty()) {
      return NONE;
    }
    Map<Integer, List<Candidate>> map = new HashMap<>();
    for (EmbeddingTable.Entry e : table.entries()) {
      int[] ids = tokenizer.tokenize(e.embedding().name());
      if (ids.length == 0) {
        continue; // a name of only characters the tokenizer drops can never appear in a prompt
      }
      map.computeIfAbsent(ids[0], k -> new ArrayList<>()).add(new Candidate(ids, e));
    }
    for (List<Candidate> l : map.values()) {
      l.sort(Comparator.comparingInt((Candidate c) -> c.ids().length).reversed());
    }
    return new EmbeddingMatcher(Map.copyOf(map));
  }

  /** The embedding whose name starts at {@code tokens[position]}, if any. */
  public Optional<Match> at(int[] tokens, int position) {
    List<Candidate> l = byFirstToken.get(tokens[position]);
    if (l == null) {
      return Optional.empty();
    }
    for (Candidate c : l) {
      int end = position + c.ids().length;
      if (end <= tokens.length && Arrays.equals(tokens, position, end, c.ids(), 0, c.ids().length)) {
        return Optional.of(new Match(c.entry(), c.ids().length));
      }
    }
    return Optional.empty();
  }
}
