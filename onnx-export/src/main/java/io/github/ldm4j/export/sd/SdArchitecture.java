package io.github.ldm4j.export.sd;

import java.util.List;
import java.util.Objects;

/**
 * The three networks of a Stable Diffusion v1 pipeline.
 *
 * @param text the CLIP text encoder
 * @param unet the denoising UNet
 * @param vae the first-stage autoencoder
 */
public record SdArchitecture(TextEncoderArchitecture text, UNetArchitecture unet, VaeArchitecture vae) {

  /** Checks that the UNet's context width is the text encoder's width. */
  public SdArchitecture {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(unet, "unet");
    Objects.requireNonNull(vae, "vae");
    if (unet.contextDim() != text.hiddenSize()) {
      throw new IllegalArgumentException("UNet contextDim " + unet.contextDim() + " != text hiddenSize "
          + text.hiddenSize());
    }
    if (unet.outChannels() != vae.latentChannels()) {
      throw new IllegalArgumentException("UNet outChannels " + unet.outChannels() + " != VAE latentChannels "
          + vae.latentChannels());
    }
  }

  /** Full-scale SD v1.x (reference facts §1). */
  public static SdArchitecture stableDiffusionV1() {
    return new SdArchitecture(TextEncoderArchitecture.clipVitL14(), UNetArchitecture.stableDiffusionV1(),
        VaeArchitecture.stableDiffusionV1());
  }

  /**
   * The toy-sized default of the tiny SD family: real CLIP vocabulary (49408) and 77 positions,
   * width 32, 2 layers; UNet (32, 64, 64) with attention on the first two levels, 1 ResNet per
   * level, 2 heads; VAE (16, 32, 32, 32), 1 ResNet per level; GroupNorm with 8 groups.
   */
  public static SdArchitecture tiny() {
    return new SdArchitecture(
        new TextEncoderArchitecture(49408, 77, 32, 2, 2, 64, 49407),
        new UNetArchitecture(4, 4, List.of(32, 64, 64), List.of(true, true, false), 1, 2, 32, 8),
        new VaeArchitecture(List.of(16, 32, 32, 32), 1, 4, 8));
  }

  /** The same networks with an inpainting UNet (latent ‖ mask ‖ masked-image latent input channels). */
  public SdArchitecture inpainting() {
    return new SdArchitecture(text, unet.withInChannels(2 * vae.latentChannels() + 1), vae);
  }
}
