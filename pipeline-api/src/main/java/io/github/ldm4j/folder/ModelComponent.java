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

  /**
   * The component whose folder name is {@code name} ({@code text_encoder}, {@code unet}, {@code
   * vae_encoder}, {@code vae_decoder}; case-insensitive, {@code -} for {@code _} allowed).
   *
   * @throws IllegalArgumentException for another name, listing the valid ones
   */
  public static ModelComponent fromFolderName(String name) {
    String key = name.strip().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    for (ModelComponent c : values()) {
      if (c.folderName.equals(key)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown model component '" + name + "'; valid: "
        + java.util.Arrays.stream(values()).map(ModelComponent::folderName).toList());
  }

  /** Whether a model folder must contain this component (all but the VAE encoder). */
  public boolean required() {
    return this != VAE_ENCODER;
  }
}
