package io.github.ldm4j.export.sd;

import java.util.List;

/**
 * Sizes of an AutoencoderKL with downsampling factor 8: four levels of ResNet blocks (GroupNorm +
 * SiLU + conv), three 2× down/up samplers, a mid block with one single-head attention layer,
 * {@code quant_conv}/{@code post_quant_conv} 1×1 convolutions, and a diagonal-Gaussian latent.
 *
 * @param blockChannels channels of the four levels, e.g. 128, 256, 512, 512
 * @param layersPerBlock ResNet blocks per encoder level (decoder levels have one more)
 * @param latentChannels latent channels (4)
 * @param normGroups GroupNorm groups
 */
public record VaeArchitecture(List<Integer> blockChannels, int layersPerBlock, int latentChannels, int normGroups) {

  /** Validates: exactly four levels (factor 8), channels divisible by groups. */
  public VaeArchitecture {
    blockChannels = List.copyOf(blockChannels);
    UNetArchitecture.positive("layersPerBlock", layersPerBlock);
    UNetArchitecture.positive("latentChannels", latentChannels);
    UNetArchitecture.positive("normGroups", normGroups);
    if (blockChannels.size() != 4) {
      throw new IllegalArgumentException("the VAE needs exactly 4 levels (downsampling factor 8), got "
          + blockChannels.size());
    }
    for (int c : blockChannels) {
      UNetArchitecture.positive("blockChannels entry", c);
      if (c % normGroups != 0) {
        throw new IllegalArgumentException("VAE channels " + c + " not divisible by normGroups " + normGroups);
      }
    }
  }

  /** SD v1's VAE (kl-f8): channels (128, 256, 512, 512), 2 ResNet blocks per level, 4 latent channels. */
  public static VaeArchitecture stableDiffusionV1() {
    return new VaeArchitecture(List.of(128, 256, 512, 512), 2, 4, 32);
  }

  /** The spatial downsampling factor, always 8. */
  public int downsamplingFactor() {
    return 8;
  }
}
