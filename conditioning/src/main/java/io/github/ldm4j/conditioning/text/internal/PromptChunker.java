package io.github.ldm4j.conditioning.text.internal;

import io.github.ldm4j.conditioning.Tokenizer;
import io.github.ldm4j.conditioning.prompt.PromptSegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Weighted segments to encoder rows, as A1111's {@code tokenize_line}: each segment is tokenized on
 * its own, tokens fill chunks of {@code contextLength − 2} with their segment's weight, {@code BREAK}
 * closes the current chunk, and when a chunk is full within {@code commaBacktrack} tokens after a
 * comma ({@code ",</w>"}), the tokens after that comma move to the next chunk. A chunk is BOS,
 * content, EOS, then the tokenizer's pad id (the Hugging Face layout; A1111 produces the same rows
 * for SD v1, and for SD 2 whenever the content holds no EOS).
 */
public final class PromptChunker {

  private final Tokenizer tokenizer;
  private final int chunkLength;
  private final int commaBacktrack;
  private final int commaId;

  /**
   * A chunker.
   *
   * @param commaBacktrack 0 disables the comma rule
   */
  public PromptChunker(Tokenizer tokenizer, int commaBacktrack) {
    this.tokenizer = tokenizer;
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

  /** All chunks of the segments (at least one). */
  public ChunkedPrompt chunk(List<PromptSegment> segments) {
    Builder b = new Builder();
    int total = 0;
    for (PromptSegment seg : segments) {
      switch (seg) {
        case PromptSegment.Break br -> b.nextChunk();
        case PromptSegment.Text t -> {
          int[] tokens = tokenizer.tokenize(t.text());
          total += tokens.length;
          for (int token : tokens) {
            b.add(token, t.weight());
          }
        }
      }
    }
    if (!b.current.isEmpty() || b.chunks.isEmpty()) {
      b.nextChunk();
    }
    return new ChunkedPrompt(b.chunks, total, 0);
  }

  /** Only the first chunk, the rest reported as dropped (CompVis truncation). */
  public ChunkedPrompt truncate(List<PromptSegment> segments) {
    ChunkedPrompt all = chunk(segments);
    TokenChunk first = all.chunks().getFirst();
    return new ChunkedPrompt(List.of(first), all.tokenCount(), all.tokenCount() - first.contentTokens());
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

    void add(int token, double weight) {
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
      current.add(token);
      weights.add(weight);
    }
  }
}
