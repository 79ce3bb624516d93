package io.github.ldm4j.generate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an image's {@code parameters} text says beyond the request, as AUTOMATIC1111 writes it so
 * that images can be traced and re-created: the prompts as the user wrote them (extra-network tags
 * such as {@code <lora:name:0.8>} kept, though the tokenizer never saw them), the checkpoint's
 * short hash and name, the VAE's, the LoRAs' short hashes by the names the prompt mentions, and the
 * textual-inversion embeddings' short hashes by their names.
 *
 * @param prompt the prompt as written
 * @param negativePrompt the negative prompt as written
 * @param modelHash {@code Model hash}: the first 10 hex digits of the checkpoint file's SHA-256
 * @param model {@code Model}: the checkpoint's name; empty for the model folder's own name
 * @param vaeHash {@code VAE hash}: the first 10 hex digits of a separate VAE file's SHA-256
 * @param vae {@code VAE}: a separate VAE's file name
 * @param loraHashes {@code Lora hashes}: name to short hash, in order
 * @param tiHashes {@code TI hashes}: the embeddings the prompts use, name to short hash (the first 12
 *     hex digits of the file's SHA-256, as A1111 ≥ 1.6 writes them), in order of use
 */
public record Provenance(String prompt, String negativePrompt, Optional<String> modelHash, Optional<String> model,
    Optional<String> vaeHash, Optional<String> vae, Map<String, String> loraHashes, Map<String, String> tiHashes) {

  /** Without embeddings. */
  public Provenance(String prompt, String negativePrompt, Optional<String> modelHash, Optional<String> model,
      Optional<String> vaeHash, Optional<String> vae, Map<String, String> loraHashes) {
    this(prompt, negativePrompt, modelHash, model, vaeHash, vae, loraHashes, Map.of());
  }

  /** Validates and copies. */
  public Provenance {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(negativePrompt, "negativePrompt");
    Objects.requireNonNull(modelHash, "modelHash");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(vaeHash, "vaeHash");
    Objects.requireNonNull(vae, "vae");
    loraHashes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(loraHashes));
    tiHashes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tiHashes));
  }

  /** This provenance with {@code TI hashes} {@code hashes} (name to short hash, in order of use). */
  public Provenance withTiHashes(Map<String, String> hashes) {
    return new Provenance(prompt, negativePrompt, modelHash, model, vaeHash, vae, loraHashes, hashes);
  }

  /** Nothing beyond {@code request}: its prompts, the model folder's name. */
  public static Provenance of(GenerationRequest request) {
    return new Provenance(request.prompt(), request.negativePrompt(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Map.of());
  }
}
