package io.github.ldm4j.conditioning.text;

import io.github.ldm4j.conditioning.Tokenizer;
import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.embedding.EmbeddingTable;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.conditioning.prompt.PromptParser;
import io.github.ldm4j.conditioning.prompt.PromptSegment;
import io.github.ldm4j.conditioning.text.internal.ChunkedPrompt;
import io.github.ldm4j.conditioning.text.internal.EmbeddingMatcher;
import io.github.ldm4j.conditioning.text.internal.Emphasis;
import io.github.ldm4j.conditioning.text.internal.PromptChunker;
import io.github.ldm4j.conditioning.text.internal.TokenChunk;
import io.github.ldm4j.model.CondStage;
import io.github.ldm4j.model.GuidancePair;
import io.github.ldm4j.model.TextEncoder;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A CLIP-style {@link CondStage} (CompVis {@code FrozenCLIPEmbedder}, A1111's {@code
 * FrozenCLIPEmbedderWithCustomWords}): prompts through the {@link TextConditioningOptions#syntax()
 * prompt syntax}, the {@link Tokenizer} and the {@link TextEncoder} to context {@code [B, 77·k,
 * d]}.
 *
 * <p>Per prompt: parse into weighted segments; tokenize each segment; fill chunks of 75 tokens
 * ({@link LongPromptMode}); every chunk becomes a 77-token row (BOS, tokens, EOS, pad). All prompts
 * of a call are padded to the same chunk count k with the empty prompt's row; chunk j of every
 * prompt is encoded in one encoder call (with {@link TextConditioningOptions#clipSkip() CLIP
 * skip}), then weighted ({@link EmphasisNormalization}); the k results are concatenated on the token
 * axis. A prompt without weights of at most 75 tokens therefore gives exactly the encoder's output
 * for its plain 77-token row.
 *
 * <p>Textual-inversion embeddings: with an {@link EmbeddingTable}, a word (or words) of a prompt or
 * negative prompt that tokenizes as an embedding's name becomes the ids of its k vectors, rows the
 * encoder was opened with after its vocabulary (see {@link EmbeddingTable}); they count k positions
 * of the 75-token chunk and take their segment's emphasis weight like other tokens. The table must
 * describe the encoder's token-embedding rows (the generate module's assembler opens both
 * together). Without one nothing changes: the names are plain text.
 *
 * <p>Owns the text encoder it is constructed with: {@link #close()} closes it. Safe for concurrent use when the encoder
 * is.
 */
public final class ClipCondStage implements CondStage {

  private final Tokenizer tokenizer;
  private final TextEncoder encoder;
  private final TextConditioningOptions options;
  private final PromptChunker chunker;
  private final EmbeddingTable embeddings;
  private final boolean ownsEncoder;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A cond stage.
   *
   * @throws IllegalArgumentException when the encoder's sequence length differs from the
   *     tokenizer's context length, or the comma backtrack does not fit in a chunk
   */
  public ClipCondStage(Tokenizer tokenizer, TextEncoder encoder, TextConditioningOptions options) {
    this(tokenizer, encoder, options, EmbeddingTable.NONE, true);
  }

  /**
   * A cond stage whose encoder was opened with {@code embeddings}' rows after its vocabulary.
   *
   * @throws IllegalArgumentException as {@link #ClipCondStage(Tokenizer, TextEncoder,
   *     TextConditioningOptions)}, or when the table's vocabulary size is not the tokenizer's
   */
  public ClipCondStage(Tokenizer tokenizer, TextEncoder encoder, TextConditioningOptions options, EmbeddingTable embeddings) {
    this(tokenizer, encoder, options, embeddings, true);
  }

  private ClipCondStage(Tokenizer tokenizer, TextEncoder encoder, TextConditioningOptions options,
      EmbeddingTable embeddings, boolean owns) {
    this.ownsEncoder = owns;
    this.embeddings = Objects.requireNonNull(embeddings, "embeddings");
    this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
    this.options = Objects.requireNonNull(options, "options");
    if (encoder.maxLength() != tokenizer.contextLength()) {
      throw new IllegalArgumentException(
          "text encoder takes " + encoder.maxLength() + " tokens but the tokenizer's context is "
              + tokenizer.contextLength());
    }
    if (embeddings.extraRows() > 0 && embeddings.vocabularySize() != tokenizer.vocabularySize()) {
      throw new IllegalArgumentException("the embeddings are placed after " + embeddings.vocabularySize()
          + " token rows, but the tokenizer's vocabulary has " + tokenizer.vocabularySize());
    }
    this.chunker = new PromptChunker(tokenizer, options.longPrompts() == LongPromptMode.CHUNK ? options.commaBacktrack() : 0,
        EmbeddingMatcher.of(tokenizer, embeddings));
  }

  /** SD v1: OpenAI's CLIP tokenizer, {@link TextConditioningOptions#defaults()}. */
  public static ClipCondStage sdV1(TextEncoder encoder) {
    return new ClipCondStage(ClipTokenizer.openAiClip(), encoder, TextConditioningOptions.defaults());
  }

  /** The options. */
  public TextConditioningOptions options() {
    return options;
  }

  /** The tokenizer. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * The same tokenizer and encoder with other options. The new stage shares the encoder without
   * owning it: closing it does not close the encoder.
   */
  public ClipCondStage withOptions(TextConditioningOptions newOptions) {
    return new ClipCondStage(tokenizer, encoder, newOptions, embeddings, false);
  }

  /** The textual-inversion embeddings ({@link EmbeddingTable#NONE} without). */
  public EmbeddingTable embeddings() {
    return embeddings;
  }

  /**
   * The embeddings {@code prompts} name, in order of first use, each once (for A1111's {@code TI
   * hashes}).
   *
   * @throws IllegalArgumentException for a prompt the syntax rejects, or one naming an unusable
   *     embedding
   */
  public List<TextualInversion> embeddingsIn(List<String> prompts) {
    if (embeddings.isEmpty()) {
      return List.of();
    }
    Set<TextualInversion> out = new LinkedHashSet<>();
    for (ChunkedPrompt c : chunkAll(prompts, "prompt")) {
      c.embeddings().forEach(e -> out.add(e.embedding()));
    }
    return List.copyOf(out);
  }

  /**
   * CompVis {@code get_learned_conditioning}: {@link #encode}'s context.
   *
   * @throws IllegalArgumentException for an empty list or a null prompt
   */
  @Override
  public Tensor getLearnedConditioning(List<String> prompts) {
    return encode(prompts).context();
  }

  /**
   * Prompts to context {@code [B, 77·k, d]}, k the largest chunk count among them.
   *
   * @throws IllegalArgumentException for an empty list, a null prompt, or a prompt the syntax
   *     rejects
   */
  public PromptEncoding encode(List<String> prompts) {
    List<ChunkedPrompt> chunked = chunkAll(prompts, "prompt");
    int k = maxChunks(chunked, List.of());
    Tensor context = encodeRows(List.of(chunked), k);
    return new PromptEncoding(context, usage(chunked));
  }

  /**
   * Prompts and their own negative prompts to the {@code crossattn} pair of classifier-free
   * guidance: two contexts of the same shape {@code [B, 77·k, d]}, k the largest chunk count among
   * all of them (shorter ones padded with the empty prompt's chunk, as A1111 pads the negative
   * prompt). Truncated prompts become warnings naming the prompt and the dropped token count.
   *
   * @throws IllegalArgumentException for an empty list, or a prompt the syntax rejects
   */
  public GuidancePair encodePairs(List<PromptPair> pairs) {
    Objects.requireNonNull(pairs, "pairs");
    List<String> prompts = new ArrayList<>(pairs.size());
    List<String> negatives = new ArrayList<>(pairs.size());
    for (int i = 0; i < pairs.size(); i++) {
      PromptPair p = Objects.requireNonNull(pairs.get(i), "prompt pair " + i);
      prompts.add(p.prompt());
      negatives.add(p.negativePrompt());
    }
    List<ChunkedPrompt> cond = chunkAll(prompts, "prompt");
    List<ChunkedPrompt> uncond = chunkAll(negatives, "negative prompt");
    int k = maxChunks(cond, uncond);
    Tensor both = encodeRows(List.of(cond, uncond), k);
    int b = pairs.size();
    List<PromptUsage> condUsage = usage(cond);
    List<PromptUsage> uncondUsage = usage(uncond);
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      addTruncation(warnings, "prompt " + i, condUsage.get(i));
      addTruncation(warnings, "negative prompt " + i, uncondUsage.get(i));
    }
    return GuidancePair.crossAttn(both.batches(0, b).copy(), both.batches(b, 2 * b).copy(), warnings);
  }

  /** {@link #encodePairs} with CLIP skip {@code clipSkip}, as the pipeline's guidance pair. */
  @Override
  public GuidancePair encodeForGuidance(List<String> prompts, List<String> negativePrompts, int clipSkip) {
    Objects.requireNonNull(prompts, "prompts");
    Objects.requireNonNull(negativePrompts, "negativePrompts");
    if (prompts.size() != negativePrompts.size()) {
      throw new IllegalArgumentException(
          prompts.size() + " prompts but " + negativePrompts.size() + " negative prompts; give one negative prompt per prompt");
    }
    ClipCondStage stage = clipSkip == options.clipSkip() ? this : withOptions(options.withClipSkip(clipSkip));
    List<PromptPair> pairs = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      pairs.add(new PromptPair(prompts.get(i), negativePrompts.get(i)));
    }
    return stage.encodePairs(pairs);
  }

  private static void addTruncation(List<String> warnings, String what, PromptUsage usage) {
    if (usage.truncated()) {
      warnings.add(what + " was truncated: " + usage.droppedTokens() + " token(s) past the context were dropped");
    }
  }

  /** {@link #encodePairs} with one negative prompt for all prompts. */
  public GuidancePair encodeWithNegative(List<String> prompts, String negativePrompt) {
    Objects.requireNonNull(prompts, "prompts");
    return encodePairs(prompts.stream().map(p -> new PromptPair(p, negativePrompt)).toList());
  }

  private List<ChunkedPrompt> chunkAll(List<String> prompts, String what) {
    Objects.requireNonNull(prompts, what + "s");
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("at least one " + what + " is needed");
    }
    List<ChunkedPrompt> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      String p = prompts.get(i);
      if (p == null) {
        throw new IllegalArgumentException(what + " " + i + " is null");
      }
      List<PromptSegment> segments = PromptParser.parse(p, options.syntax());
      out.add(options.longPrompts() == LongPromptMode.CHUNK ? chunker.chunk(segments) : chunker.truncate(segments));
    }
    return out;
  }

  private static int maxChunks(List<ChunkedPrompt> a, List<ChunkedPrompt> b) {
    int k = 1;
    for (ChunkedPrompt c : a) {
      k = Math.max(k, c.chunks().size());
    }
    for (ChunkedPrompt c : b) {
      k = Math.max(k, c.chunks().size());
    }
    return k;
  }

  private static List<PromptUsage> usage(List<ChunkedPrompt> chunked) {
    return chunked.stream().map(c -> new PromptUsage(c.tokenCount(), c.chunks().size(), c.droppedTokens())).toList();
  }

  /**
   * Encodes groups of prompts (cond, then uncond) chunk by chunk: one encoder call per chunk index
   * for all rows, emphasis per group, chunks concatenated on the token axis.
   */
  private Tensor encodeRows(List<List<ChunkedPrompt>> groups, int k) {
    if (closed.get()) {
      throw new IllegalStateException("cond stage is closed");
    }
    int groupSize = groups.getFirst().size();
    int rows = groupSize * groups.size();
    TokenChunk empty = chunker.emptyChunk();
    Tensor[] parts = new Tensor[k];
    for (int j = 0; j < k; j++) {
      int[][] ids = new int[rows][];
      double[][] weights = new double[rows][];
      int r = 0;
      for (List<ChunkedPrompt> group : groups) {
        for (ChunkedPrompt p : group) {
          TokenChunk c = j < p.chunks().size() ? p.chunks().get(j) : empty;
          ids[r] = c.ids();
          weights[r] = c.weights();
          r++;
        }
      }
      Tensor z = encoder.encodeContext(ids, options.clipSkip());
      int ctx = tokenizer.contextLength();
      if (z.rank() != 3 || z.dim(0) != rows || z.dim(1) != ctx || z.dim(2) != encoder.hiddenSize()) {
        throw new IllegalStateException(
            "text encoder returned " + z.shape() + " for " + rows + " rows; expected [" + rows + ", " + ctx + ", "
                + encoder.hiddenSize() + "]");
      }
      z = z.copy();
      int groupRows = options.emphasis() == EmphasisNormalization.MEAN_PER_BATCH ? groupSize : 1;
      Emphasis.apply(z, weights, groupRows, options.emphasis());
      parts[j] = z;
    }
    return k == 1 ? parts[0] : Tensor.concat(1, parts);
  }

  /** Closes the text encoder when this stage owns it; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && ownsEncoder) {
      encoder.close();
    }
  }
}
