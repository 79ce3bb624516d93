/**
 * Textual-inversion embeddings (AUTOMATIC1111's {@code embeddings/} folder): a {@link
 * io.github.ldm4j.conditioning.embedding.TextualInversion} is a name and its k learned token
 * vectors; an {@link io.github.ldm4j.conditioning.embedding.EmbeddingTable} places the usable ones
 * as extra rows after a text encoder's vocabulary, where {@link
 * io.github.ldm4j.conditioning.text.ClipCondStage} points the prompt's positions that name them.
 * Reading the files is the {@code ldm4j-checkpoint} module's ({@code checkpoint.embedding}).
 */
package io.github.ldm4j.conditioning.embedding;
