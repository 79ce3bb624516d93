package io.github.ldm4j.conditioning.prompt;

import java.util.List;
import java.util.Objects;

/**
 * A prompt with its extra-network tags taken out ({@link ExtraNetworks#parse}).
 *
 * @param prompt the prompt without the tags: what the tokenizer sees
 * @param loras the {@code <lora:…>} / {@code <lyco:…>} tags, in prompt order
 */
public record ExtraNetworkPrompt(String prompt, List<LoraTag> loras) {

  /** Copies. */
  public ExtraNetworkPrompt {
    Objects.requireNonNull(prompt, "prompt");
    loras = List.copyOf(loras);
  }
}
