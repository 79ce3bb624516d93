package io.github.ldm4j.conditioning.embedding;

import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The textual-inversion embeddings a text encoder was opened with: each usable embedding's k
 * vectors are rows {@code firstId … firstId + k − 1} appended after the encoder's vocabulary
 * ({@code vocabularySize} rows), in the order given; an embedding that cannot be used (a width other
 * than the encoder's, or an encoder whose token-embedding table cannot be extended) is kept with
 * the reason, so that a prompt naming it fails with that reason instead of silently reading the
 * name as text.
 *
 * <p>Immutable; the vectors are the embeddings' own tensors (not copied).
 */
public final class EmbeddingTable {

  /** No embeddings. */
  public static final EmbeddingTable NONE = new EmbeddingTable(List.of(), 0, 0);

  /**
   * One embedding of the table.
   *
   * @param embedding the embedding
   * @param firstId the token id of its first vector (≥ the vocabulary size); −1 when unusable
   * @param unusable why it cannot be used, if so
   */
  public record Entry(TextualInversion embedding, int firstId, Optional<String> unusable) {
    /** Validates. */
    public Entry {
      Objects.requireNonNull(embedding, "embedding");
      Objects.requireNonNull(unusable, "unusable");
      if (unusable.isEmpty() == (firstId < 0)) {
        throw new IllegalArgumentException("an entry has a first id exactly when it is usable");
      }
    }
  }

  private final List<Entry> entries;
  private final int vocabularySize;
  private final int width;

  private EmbeddingTable(List<Entry> entries, int vocabularySize, int width) {
    this.entries = List.copyOf(entries);
    this.vocabularySize = vocabularySize;
    this.width = width;
  }

  /**
   * Places {@code embeddings} after a vocabulary of {@code vocabularySize} rows of {@code width}:
   * those of that width get consecutive ids, the others are unusable (the message names the file
   * and both widths).
   *
   * @throws IllegalArgumentException for two embeddings of the same name (ignoring case), or
   *     non-positive sizes
   */
  public static EmbeddingTable place(List<TextualInversion> embeddings, int vocabularySize, int width) {
    if (vocabularySize < 1 || width < 1) {
      throw new IllegalArgumentException("vocabulary size and width must be >= 1, got " + vocabularySize + ", " + width);
    }
    requireUniqueNames(embeddings);
    List<Entry> out = new ArrayList<>();
    int next = vocabularySize;
    for (TextualInversion e : embeddings) {
      if (e.width() != width) {
        out.add(new Entry(e, -1, Optional.of("embedding '" + e.name() + "' (" + e.source() + ") has vectors of width "
            + e.width() + ", but the model's text encoder takes " + width + " (" + family(e.width())
            + " embedding on a " + family(width) + " model?)")));
      } else {
        out.add(new Entry(e, next, Optional.empty()));
        next = Math.addExact(next, e.vectorCount());
      }
    }
    return new EmbeddingTable(out, vocabularySize, width);
  }

  /**
   * {@code embeddings}, none of them usable, for {@code reason} (the text encoder cannot take
   * them; the message should say what to do).
   *
   * @throws IllegalArgumentException for two embeddings of the same name (ignoring case)
   */
  public static EmbeddingTable unusable(List<TextualInversion> embeddings, String reason) {
    Objects.requireNonNull(reason, "reason");
    requireUniqueNames(embeddings);
    List<Entry> out = new ArrayList<>();
    for (TextualInversion e : embeddings) {
      out.add(new Entry(e, -1, Optional.of("embedding '" + e.name() + "' (" + e.source() + ") cannot be used: " + reason)));
    }
    return new EmbeddingTable(out, 0, 0);
  }

  private static String family(int width) {
    return switch (width) {
      case 768 -> "an SD 1.x";
      case 1024 -> "an SD 2.x";
      case 1280 -> "an SDXL";
      default -> "a " + width + "-wide";
    };
  }

  private static void requireUniqueNames(List<TextualInversion> embeddings) {
    Set<String> seen = new HashSet<>();
    for (TextualInversion e : Objects.requireNonNull(embeddings, "embeddings")) {
      if (!seen.add(e.name().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("two embeddings are named '" + e.name() + "' (one is " + e.source() + ")");
      }
    }
  }

  /** Every embedding, usable or not, in order. */
  public List<Entry> entries() {
    return entries;
  }

  /** Whether the table has no embeddings at all. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The number of rows before the first embedding's (the vocabulary size); 0 when nothing is usable. */
  public int vocabularySize() {
    return vocabularySize;
  }

  /** The number of rows the usable embeddings add. */
  public int extraRows() {
    int n = 0;
    for (Entry e : entries) {
      if (e.unusable().isEmpty()) {
        n += e.embedding().vectorCount();
      }
    }
    return n;
  }

  /**
   * The rows to append after the vocabulary: the usable embeddings' vectors in id order, {@code
   * [extraRows, width]}; empty when none is usable.
   */
  public Optional<Tensor> rows() {
    int n = extraRows();
    if (n == 0) {
      return Optional.empty();
    }
    Tensor out = Tensor.zeros(n, width);
    for (Entry e : entries) {
      if (e.unusable().isEmpty()) {
        Tensor v = e.embedding().vectors();
        int base = (e.firstId() - vocabularySize) * width;
        for (int i = 0; i < v.size(); i++) {
          out.set(base + i, v.get(i));
        }
      }
    }
    return Optional.of(out);
  }

  @Override
  public String toString() {
    return "EmbeddingTable" + entries.stream().map(e -> e.embedding().name()
        + (e.unusable().isPresent() ? "(unusable)" : "@" + e.firstId())).toList();
  }
}
