package io.github.ldm4j.model;

/** How an image-resolution mask becomes a latent-resolution mask (factor f, 8 for SD). */
public enum MaskDownsampling {
  /**
   * {@code torch.nn.functional.interpolate(mask, size=(h, w))} with its default {@code nearest}
   * mode, as CompVis' inpainting scripts and diffusers' inpainting pipeline do: latent position (i,
   * j) takes pixel (f·i, f·j), the top-left pixel of its f×f patch.
   */
  NEAREST,
  /**
   * Conservative: a latent position counts as masked when any pixel of its f×f patch is masked
   * (max over the patch), i.e. it is known only if its whole patch is unmasked.
   */
  ANY_MASKED
}
