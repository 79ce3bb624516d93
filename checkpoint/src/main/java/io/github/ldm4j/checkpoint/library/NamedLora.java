package io.github.ldm4j.checkpoint.library;

import io.github.ldm4j.checkpoint.lora.AppliedLora;
import java.util.Objects;

/**
 * A LoRA as a user named it — a prompt's {@code <lora:NAME:…>} tag, an HTTP request's {@code
 * loras} entry, a {@code --lora} value — with the file it resolved to and its multipliers.
 *
 * @param name the name as given: the key of the {@code Lora hashes} of the images' parameters
 * @param lora the file and its multipliers
 */
public record NamedLora(String name, AppliedLora lora) {

  /** Validates. */
  public NamedLora {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a LoRA needs a name");
    }
    Objects.requireNonNull(lora, "lora");
  }
}
