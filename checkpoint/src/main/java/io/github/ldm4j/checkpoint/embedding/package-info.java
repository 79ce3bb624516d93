/**
 * Textual-inversion embedding files as AUTOMATIC1111 reads them from its {@code embeddings/}
 * folder: {@link io.github.ldm4j.checkpoint.embedding.EmbeddingFiles} reads A1111 {@code .pt}
 * ({@code string_to_param['*']}, through the restricted unpickler), {@code .safetensors} ({@code
 * emb_params}; SDXL-style {@code clip_l}) and the diffusers single-token form into {@link
 * io.github.ldm4j.conditioning.embedding.TextualInversion}s.
 */
package io.github.ldm4j.checkpoint.embedding;
