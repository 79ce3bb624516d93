package io.github.ldm4j.conditioning.prompt;

/**
 * One {@code <lora:…>} / {@code <lyco:…>} tag of a prompt: the LoRA's name as written and its
 * multipliers in AUTOMATIC1111's order (text encoder, then UNet).
 *
 * @param name the name as written in the tag (looked up in a model library's LoRA folder)
 * @param teMultiplier the text-encoder multiplier
 * @param unetMultiplier the UNet multiplier
 */
public record LoraTag(String name, double teMultiplier, double unetMultiplier) {

  /** Validates: a non-blank name, finite multipliers. */
  public LoraTag {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a LoRA tag needs a name");
    }
    if (!Double.isFinite(teMultiplier) || !Double.isFinite(unetMultiplier)) {
      throw new IllegalArgumentException("LoRA multipliers must be finite, got " + teMultiplier + " / " + unetMultiplier);
    }
  }
}
