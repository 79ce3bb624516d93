package io.github.ldm4j.export.sd;

/**
 * Trainable parameters per component, counted from the generated graphs' parameter initializers.
 *
 * @param textEncoder CLIP text transformer
 * @param unet UNet
 * @param vaeEncoder VAE encoder including {@code quant_conv}
 * @param vaeDecoder VAE decoder including {@code post_quant_conv}
 */
public record ParameterCounts(long textEncoder, long unet, long vaeEncoder, long vaeDecoder) {

  /** Sum over the four components. */
  public long total() {
    return textEncoder + unet + vaeEncoder + vaeDecoder;
  }
}
