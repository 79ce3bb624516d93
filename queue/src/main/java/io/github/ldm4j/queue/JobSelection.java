package io.github.ldm4j.queue;

import io.github.ldm4j.conditioning.prompt.LoraTag;
import io.github.ldm4j.generate.GenerationRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a job runs with beyond its model and request, by name, for the worker to resolve against its
 * own model library ({@link WorkerModels#open}) exactly as a local node resolves it: the LoRAs and
 * their multipliers, the VAE override, and the prompts as the client wrote them (the images'
 * parameters say those; the request's prompt has its {@code <lora:…>} tags taken out). Textual-
 * inversion embeddings need no entry: the worker finds them in the prompt.
 *
 * @param prompt the prompt as written
 * @param negativePrompt the negative prompt as written
 * @param loras the LoRAs by name with their multipliers, in order (the prompt's tags, then a request's list)
 * @param vae the VAE by name (a library VAE, or A1111's {@code Automatic} / {@code None} for the
 *     checkpoint's own); empty: the worker's active VAE
 */
public record JobSelection(String prompt, String negativePrompt, List<LoraTag> loras, Optional<String> vae) {

  /** Validates and copies. */
  public JobSelection {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(negativePrompt, "negativePrompt");
    loras = List.copyOf(loras);
    Objects.requireNonNull(vae, "vae");
    if (vae.isPresent() && vae.get().isBlank()) {
      throw new IllegalArgumentException("a VAE name must not be blank");
    }
  }

  /** Nothing beyond {@code request}: its prompts, no LoRA, the worker's VAE. */
  public static JobSelection of(GenerationRequest request) {
    return new JobSelection(request.prompt(), request.negativePrompt(), List.of(), Optional.empty());
  }

  /** Whether it names neither a LoRA nor a VAE. */
  public boolean isPlain() {
    return loras.isEmpty() && vae.isEmpty();
  }
}
