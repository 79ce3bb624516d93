package io.github.ldm4j.generate;

import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.RgbImage;
import java.util.Objects;
import java.util.Optional;

/** What to generate: one of the three front ends. */
public sealed interface GenerationRequest {

  /**
   * Default img2img/inpainting strength of the front ends (the app's {@code --strength}, the REST
   * {@code strength}/{@code denoising_strength}); text, so that annotation values can name it.
   */
  String DEFAULT_STRENGTH = "0.75";

  /** The prompt (A1111 weighting syntax allowed). */
  String prompt();

  /** The negative prompt ("" for none: the unconditional prompt). */
  String negativePrompt();

  /** The shared settings. */
  GenerationSettings settings();

  /**
   * Text to image, optionally with AUTOMATIC1111's hires fix.
   *
   * @param prompt the prompt
   * @param negativePrompt the negative prompt
   * @param settings the settings (of the first pass, with a hires fix)
   * @param hires a second, img2img pass at a larger size; empty for none
   */
  record TextToImage(String prompt, String negativePrompt, GenerationSettings settings, Optional<HiresFix> hires)
      implements GenerationRequest {
    /**
     * Validates.
     *
     * @throws IllegalArgumentException also when the hires fix's final size for these settings is not a multiple of 8
     */
    public TextToImage {
      requirePrompts(prompt, negativePrompt);
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(hires, "hires");
      hires.ifPresent(h -> h.secondPass(settings));
    }

    /** Text to image without hires fix. */
    public TextToImage(String prompt, String negativePrompt, GenerationSettings settings) {
      this(prompt, negativePrompt, settings, Optional.empty());
    }
  }

  /**
   * Image to image (CompVis img2img): the init image is encoded, noised to {@code strength} and
   * denoised from there.
   *
   * @param prompt the prompt
   * @param negativePrompt the negative prompt
   * @param settings the settings (width/height must equal the image's)
   * @param initImage the starting image
   * @param strength in (0, 1]: 1 ignores the image's content, small values keep it
   */
  record ImageToImage(String prompt, String negativePrompt, GenerationSettings settings, RgbImage initImage, double strength)
      implements GenerationRequest {
    /** Validates. */
    public ImageToImage {
      requirePrompts(prompt, negativePrompt);
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(initImage, "initImage");
      requireStrength(strength);
      requireSize("init image", initImage.width(), initImage.height(), settings);
    }
  }

  /**
   * Inpainting: regenerate where the mask is white, keep the rest.
   *
   * @param prompt the prompt
   * @param negativePrompt the negative prompt
   * @param settings the settings (width/height must equal the image's)
   * @param image the image to complete
   * @param mask 1 (white) = generate, same size as the image
   * @param strength in (0, 1]; 1 regenerates the masked region from pure noise
   */
  record Inpainting(String prompt, String negativePrompt, GenerationSettings settings, RgbImage image, Mask mask, double strength)
      implements GenerationRequest {
    /** Validates. */
    public Inpainting {
      requirePrompts(prompt, negativePrompt);
      Objects.requireNonNull(settings, "settings");
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(mask, "mask");
      requireStrength(strength);
      requireSize("image", image.width(), image.height(), settings);
      if (mask.width() != image.width() || mask.height() != image.height()) {
        throw new IllegalArgumentException(
            "mask is " + mask.width() + "x" + mask.height() + " but the image is " + image.width() + "x" + image.height());
      }
    }
  }

  /**
   * The front ends' prompt rule, shared by the CLI ({@code --prompt}) and the REST API
   * ({@code prompt}): a prompt a user gives must not be null or blank. The requests themselves
   * accept {@code ""} (an unconditional image) for library callers.
   *
   * @return {@code prompt}
   * @throws IllegalArgumentException "prompt is required and must not be blank"
   */
  static String requireUserPrompt(String prompt) {
    if (prompt == null || prompt.isBlank()) {
      throw new IllegalArgumentException("prompt is required and must not be blank");
    }
    return prompt;
  }

  private static void requirePrompts(String prompt, String negative) {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null (use \"\" for an unconditional image)");
    }
    if (negative == null) {
      throw new IllegalArgumentException("negative prompt must not be null (use \"\" for none)");
    }
  }

  private static void requireStrength(double strength) {
    if (!(strength > 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
    }
  }

  private static void requireSize(String what, int w, int h, GenerationSettings s) {
    if (w != s.width() || h != s.height()) {
      throw new IllegalArgumentException(
          what + " is " + w + "x" + h + " but the settings ask for " + s.width() + "x" + s.height()
              + " (resize the image or set width/height to its size)");
    }
  }
}
