package io.github.ldm4j.export.sd;

import java.util.List;

/**
 * Sizes of a diffusers {@code UNet2DConditionModel} as SD v1 uses it: per level, a down block of
 * {@code layersPerBlock} ResNet blocks (each followed by a SpatialTransformer when the level has
 * cross-attention) and a 2× downsampler except at the last level; a mid block (ResNet,
 * SpatialTransformer, ResNet); mirrored up blocks of {@code layersPerBlock + 1} ResNet blocks fed by
 * skip concatenation, with nearest 2× upsampling + conv; time embedding sinusoid(C₀) → Linear →
 * SiLU → Linear to 4·C₀.
 *
 * @param inChannels input channels (4, or 9 for inpainting)
 * @param outChannels output channels (4)
 * @param blockChannels channels per level, e.g. 320, 640, 1280, 1280
 * @param crossAttention whether each level's blocks carry a SpatialTransformer
 * @param layersPerBlock ResNet blocks per down level
 * @param attentionHeads heads of every attention layer (SD 1.x: 8), when {@code headChannels} is 0
 * @param contextDim width of {@code encoder_hidden_states}
 * @param normGroups GroupNorm groups
 * @param headChannels channels per attention head (SD 2.x: 64; the head count then grows with the
 *     level's channels), or 0 for a fixed {@code attentionHeads}
 * @param linearProjection whether the SpatialTransformer's {@code proj_in}/{@code proj_out} are
 *     linear layers on the tokens (SD 2.x) rather than 1×1 convolutions (SD 1.x)
 */
public record UNetArchitecture(int inChannels, int outChannels, List<Integer> blockChannels,
    List<Boolean> crossAttention, int layersPerBlock, int attentionHeads, int contextDim, int normGroups,
    int headChannels, boolean linearProjection) {

  /** SD 1.x style: a fixed number of heads, 1×1-convolution projections. */
  public UNetArchitecture(int inChannels, int outChannels, List<Integer> blockChannels, List<Boolean> crossAttention,
      int layersPerBlock, int attentionHeads, int contextDim, int normGroups) {
    this(inChannels, outChannels, blockChannels, crossAttention, layersPerBlock, attentionHeads, contextDim, normGroups,
        0, false);
  }

  /** Validates sizes: positive, channels divisible by groups and heads, one attention flag per level. */
  public UNetArchitecture {
    blockChannels = List.copyOf(blockChannels);
    crossAttention = List.copyOf(crossAttention);
    positive("inChannels", inChannels);
    positive("outChannels", outChannels);
    positive("layersPerBlock", layersPerBlock);
    positive("attentionHeads", attentionHeads);
    positive("contextDim", contextDim);
    positive("normGroups", normGroups);
    if (headChannels < 0) {
      throw new IllegalArgumentException("headChannels must be >= 0 (0 = fixed attentionHeads), got " + headChannels);
    }
    if (blockChannels.isEmpty()) {
      throw new IllegalArgumentException("blockChannels must not be empty");
    }
    if (crossAttention.size() != blockChannels.size()) {
      throw new IllegalArgumentException("crossAttention has " + crossAttention.size() + " flags for "
          + blockChannels.size() + " levels");
    }
    for (int c : blockChannels) {
      positive("blockChannels entry", c);
      if (c % normGroups != 0) {
        throw new IllegalArgumentException("block channels " + c + " not divisible by normGroups " + normGroups);
      }
      if (headChannels == 0 && c % attentionHeads != 0) {
        throw new IllegalArgumentException("block channels " + c + " not divisible by attentionHeads " + attentionHeads);
      }
      if (headChannels > 0 && c % headChannels != 0) {
        throw new IllegalArgumentException("block channels " + c + " not divisible by headChannels " + headChannels);
      }
    }
    if (blockChannels.getFirst() % 2 != 0) {
      throw new IllegalArgumentException("first block channels must be even (timestep sinusoid), got "
          + blockChannels.getFirst());
    }
  }

  /** SD v1.x: 4 → 4 channels, (320, 640, 1280, 1280), attention on the first three levels, 8 heads, context 768. */
  public static UNetArchitecture stableDiffusionV1() {
    return new UNetArchitecture(4, 4, List.of(320, 640, 1280, 1280), List.of(true, true, true, false), 2, 8, 768, 32);
  }

  /** This architecture with another number of input channels (9 for an inpainting UNet). */
  public UNetArchitecture withInChannels(int channels) {
    return new UNetArchitecture(channels, outChannels, blockChannels, crossAttention, layersPerBlock, attentionHeads,
        contextDim, normGroups, headChannels, linearProjection);
  }

  /** The attention heads of a level of {@code channels} channels. */
  public int headsAt(int channels) {
    return headChannels > 0 ? channels / headChannels : attentionHeads;
  }

  /** Width of the time embedding, 4·C₀. */
  public int timeEmbedDim() {
    return 4 * blockChannels.getFirst();
  }

  /** Number of resolution levels. */
  public int levels() {
    return blockChannels.size();
  }

  /** Total down-sampling factor of the latent inside the UNet, 2^(levels − 1). */
  public int downsamplingFactor() {
    return 1 << (levels() - 1);
  }

  static void positive(String what, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(what + " must be > 0, got " + v);
    }
  }
}
