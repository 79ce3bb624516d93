package io.github.ldm4j.export.sd;

/**
 * Sizes of a CLIP text transformer: token + position embeddings, pre-LayerNorm blocks with causal
 * multi-head self-attention and a quick-GELU MLP, final LayerNorm; {@code pooler_output} is the
 * final hidden state at the first end-of-text token.
 *
 * @param vocabSize token embedding rows (49408 for the CLIP BPE vocabulary)
 * @param maxPositions position embedding rows, the longest input (77)
 * @param hiddenSize width (768 for CLIP ViT-L/14)
 * @param layers transformer blocks
 * @param heads attention heads
 * @param intermediateSize MLP width
 * @param eosTokenId the end-of-text id whose first occurrence gives {@code pooler_output}
 * @param quickGelu whether the MLP uses QuickGELU x·σ(1.702x) (OpenAI CLIP, SD 1.x) or the exact GELU
 *     (OpenCLIP, SD 2.x)
 */
public record TextEncoderArchitecture(int vocabSize, int maxPositions, int hiddenSize, int layers, int heads,
    int intermediateSize, int eosTokenId, boolean quickGelu) {

  /** OpenAI CLIP's text tower (QuickGELU). */
  public TextEncoderArchitecture(int vocabSize, int maxPositions, int hiddenSize, int layers, int heads,
      int intermediateSize, int eosTokenId) {
    this(vocabSize, maxPositions, hiddenSize, layers, heads, intermediateSize, eosTokenId, true);
  }

  /** Validates sizes. */
  public TextEncoderArchitecture {
    UNetArchitecture.positive("vocabSize", vocabSize);
    UNetArchitecture.positive("maxPositions", maxPositions);
    UNetArchitecture.positive("hiddenSize", hiddenSize);
    UNetArchitecture.positive("layers", layers);
    UNetArchitecture.positive("heads", heads);
    UNetArchitecture.positive("intermediateSize", intermediateSize);
    if (hiddenSize % heads != 0) {
      throw new IllegalArgumentException("hiddenSize " + hiddenSize + " not divisible by heads " + heads);
    }
    if (eosTokenId < 0 || eosTokenId >= vocabSize) {
      throw new IllegalArgumentException("eosTokenId " + eosTokenId + " outside the vocabulary [0, " + vocabSize + ")");
    }
  }

  /** CLIP ViT-L/14's text tower: 49408 tokens, 77 positions, width 768, 12 layers, 12 heads, MLP 3072. */
  public static TextEncoderArchitecture clipVitL14() {
    return new TextEncoderArchitecture(49408, 77, 768, 12, 12, 3072, 49407);
  }
}
