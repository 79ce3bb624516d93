package io.github.ldm4j.export.folder;

/** Which pipeline a generated model folder is for. */
public enum PipelineVariant {
  /** Text-to-image (and image-to-image): a 4-channel UNet input. */
  TEXT_TO_IMAGE,
  /** Inpainting: a 9-channel UNet input, latent ‖ mask ‖ masked-image latent. */
  INPAINTING
}
