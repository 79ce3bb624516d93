package io.github.ldm4j.conditioning.text.internal;

import io.github.ldm4j.conditioning.Tokenizer;
import io.github.ldm4j.conditioning.embedding.EmbeddingTable;
import io.github.ldm4j.conditioning.prompt.PromptSegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Weighted segments to encoder rows, as A1111's {@code tokenize_line}: each segment is tokenized on
 * its own, tokens fill chunks of {@code contextLength − 2} with their segment's weight, {@code BREAK}
 * closes the current chunk, and when a chunk is full within {@code commaBacktrack} tokens after a
 * comma ({@code ",</w>"}), the tokens after that comma move to the next chunk. A chunk is BOS,
 * content, EOS, then the tokenizer's pad id (the Hugging Face layout; A1111 produces the same rows
 * for SD v1, and for SD 2 whenever the content holds no EOS).
 *
 * <p>Textual-inversion embeddings ({@link EmbeddingMatcher}): where the tokens spell an embedding's
 * name, its k vectors' ids ({@link EmbeddingTable.Entry#firstId()} …) take k positions at the
 * segment's weight, as A1111's {@code tokenize_line}: when they do not fit in the current chunk the
 * chunk is closed first (an embedding is never split across chunks). One deliberate difference: when
 * the comma rule moves the tokens after a comma to the next chunk, an embedding among them moves
 * with them (A1111 moves its placeholder tokens but leaves the vectors' position in the old chunk).
 */
public final class PromptChunker {

  private final Tokenizer tokenizer;
  private final int chunkLength;
  private final int commaBacktrack;
  private final int commaId;
  private final EmbeddingMatcher embeddings;

  /**
   * A chunker without embeddings.
   *
   * @param commaBacktrack 0 disables the comma rule
   */
  public PromptChunker(Tokenizer tokenizer, int commaBacktrack) {
    this(tokenizer, commaBacktrack, EmbeddingMatcher.NONE);
  }

  /**
   * A chunker.
   *
   * @param commaBacktrack 0 disables the comma rule
   * @param embeddings the embedding names to replace by their vectors' ids
   */
  public PromptChunker(Tokenizer tokenizer, int commaBacktrack, EmbeddingMatcher embeddings) {
    this.tokenizer = tokenizer;
    this.embeddings = embeddings;
    this.chunkLength = tokenizer.contextLength() - 2;
    if (chunkLength < 1) {
      throw new IllegalArgumentException("context length " + tokenizer.contextLength() + " leaves no room for content");
    }
    if (commaBacktrack >= chunkLength) {
      throw new IllegalArgumentException(
          "comma backtrack " + commaBacktrack + " must be smaller than the chunk length " + chunkLength);
    }
    this.commaBacktrack = commaBacktrack;
    this.commaId = tokenizer.tokenId(",</w>").orElse(-1);
  }

  /**
   * All chunks of the segments (at least one).
   *
   * @throws IllegalArgumentException when the segments name an embedding that cannot be used (the
   *     message says why), or one with more vectors than a chunk holds
   */
  public ChunkedPrompt chunk(List<PromptSegment> segments) {
    Builder b = new Builder();
    int total = 0;
    Set<EmbeddingTable.Entry> used = new LinkedHashSet<>();
    for (PromptSegment seg : segments) {
      switch (seg) {
        case PromptSegment.Break br -> b.nextChunk();
        case PromptSegment.Text t -> {
          int[] tokens = tokenizer.tokenize(t.text());
          int position = 0;
          while (position < tokens.length) {
            b.beforeToken(tokens[position]);
            Optional<EmbeddingMatcher.Match> m = embeddings.at(tokens, position);
            if (m.isEmpty()) {
              b.append(tokens[position], t.weight());
              total++;
              position++;
              continue;
            }
            EmbeddingTable.Entry e = m.get().entry();
            if (e.unusable().isPresent()) {
              throw new IllegalArgumentException(e.unusable().get());
            }
            int k = e.embedding().vectorCount();
            if (k > chunkLength) {
              throw new IllegalArgumentException("embedding '" + e.embedding().name() + "' (" + e.embedding().source()
                  + ") has " + k + " vectors, more than the " + chunkLength + " tokens of a prompt chunk");
            }
            if (b.current.size() + k > chunkLength) {
              b.nextChunk();
            }
            for (int i = 0; i < k; i++) {
              b.append(e.firstId() + i, t.weight());
            }
            used.add(e);
            total += k;
            position += m.get().promptTokens();
          }
        }
      }
    }
    if (!b.current.isEmpty() || b.chunks.isEmpty()) {
      b.nextChunk();
    }
    return new ChunkedPrompt(b.chunks, total, 0, List.copyOf(used));
  }

  /** Only the first chunk, the rest reported as dropped (CompVis truncation). */
  public ChunkedPrompt truncate(List<PromptSegment> segments) {
    ChunkedPrompt all = chunk(segments);
    TokenChunk first = all.chunks().getFirst();
    return new ChunkedPrompt(List.of(first), all.tokenCount(), all.tokenCount() - first.contentTokens(), all.embeddings());
  }

  /** The row of the empty prompt: BOS, EOS, padding, all at weight 1 (A1111 {@code empty_chunk}). */
  public TokenChunk emptyChunk() {
    return wrap(new int[0], new double[0]);
  }

  private TokenChunk wrap(int[] content, double[] weights) {
    int ctx = chunkLength + 2;
    int[] ids = new int[ctx];
    double[] w = new double[ctx];
    Arrays.fill(w, 1.0);
    ids[0] = tokenizer.bosId();
    System.arraycopy(content, 0, ids, 1, content.length);
    System.arraycopy(weights, 0, w, 1, weights.length);
    ids[content.length + 1] = tokenizer.eosId();
    Arrays.fill(ids, content.length + 2, ctx, tokenizer.padId());
    return new TokenChunk(ids, w, content.length);
  }

  private final class Builder {
    final List<TokenChunk> chunks = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    int lastComma = -1;

    void nextChunk() {
      chunks.add(wrap(current.stream().mapToInt(Integer::intValue).toArray(),
          weights.stream().mapToDouble(Double::doubleValue).toArray()));
      current = new ArrayList<>();
      weights = new ArrayList<>();
      lastComma = -1;
    }

    /** A1111's checks before a token (or an embedding starting with it): the comma rule, a full chunk. */
    void beforeToken(int token) {
      if (token == commaId) {
        lastComma = current.size();
      } else if (commaBacktrack != 0 && current.size() == chunkLength && lastComma != -1
          && current.size() - lastComma <= commaBacktrack) {
        int breakAt = lastComma + 1;
        List<Integer> relocTokens = new ArrayList<>(current.subList(breakAt, current.size()));
        List<Double> relocWeights = new ArrayList<>(weights.subList(breakAt, weights.size()));
        current = new ArrayList<>(current.subList(0, breakAt));
        weights = new ArrayList<>(weights.subList(0, breakAt));
        nextChunk();
        current = relocTokens;
        weights = relocWeights;
      }
      if (current.size() == chunkLength) {
        nextChunk();
      }
    }

    void append(int id, double weight) {
      current.add(id);
      weights.add(weight);
    }
  }
}
