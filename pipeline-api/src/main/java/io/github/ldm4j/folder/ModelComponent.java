package io.github.ldm4j.folder;

/** The network components of a Stable Diffusion model folder, with their folder names. */
public enum ModelComponent {
  /** The CLIP text transformer ({@code text_encoder/}). */
  TEXT_ENCODER("text_encoder"),
  /** The denoising UNet ({@code unet/}). */
  UNET("unet"),
  /** The VAE encoder ({@code vae_encoder/}); optional in exports. */
  VAE_ENCODER("vae_encoder"),
  /** The VAE decoder ({@code vae_decoder/}). */
  VAE_DECODER("vae_decoder");

  private final String folderName;

  ModelComponent(String folderName) {
    this.folderName = folderName;
  }

  /** The sub-folder name in the export layout. */
  public String folderName() {
    return folderName;
  }

  /** Whether a model folder must contain this component (all but the VAE encoder). */
  public boolean required() {
    return this != VAE_ENCODER;
  }
}
