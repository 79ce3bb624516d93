package io.github.ldm4j.conditioning.embedding;

import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * One textual-inversion embedding: the word that names it in a prompt and the k token vectors that
 * replace that word in the text encoder's token-embedding sequence.
 *
 * @param name the name used in prompts (A1111: the file name without extension); matched against
 *     the prompt after tokenization, so case and surrounding punctuation follow the tokenizer
 * @param vectors {@code [k, width]}, k ≥ 1, every value finite
 * @param source where the vectors come from (the file), for messages
 */
public record TextualInversion(String name, Tensor vectors, String source) {

  /** Validates. */
  public TextualInversion {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(source, "source");
    if (name.isBlank()) {
      throw new IllegalArgumentException(source + ": an embedding needs a non-blank name");
    }
    if (vectors.rank() != 2 || vectors.dim(0) < 1 || vectors.dim(1) < 1) {
      throw new IllegalArgumentException(
          source + ": embedding vectors must be [k, width] with k, width >= 1, got " + vectors.shape());
    }
    if (!vectors.allFinite()) {
      throw new IllegalArgumentException(source + ": embedding '" + name + "' has non-finite values (NaN or infinity)");
    }
  }

  /** k: how many token positions the embedding takes in a prompt. */
  public int vectorCount() {
    return vectors.dim(0);
  }

  /** The width of each vector (768 for SD 1.x, 1024 for SD 2.x). */
  public int width() {
    return vectors.dim(1);
  }
}
