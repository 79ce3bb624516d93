package io.github.ldm4j.folder.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Where a CLIP text encoder's ONNX file keeps its token-embedding table (the {@code [vocabulary,
 * width]} matrix that {@code input_ids} index): the initializer {@code
 * text_model.embeddings.token_embedding.weight} (ldm4j's own exports, and Hugging Face / optimum
 * exports that keep parameter names), else the constant data input of the {@code Gather} that takes
 * {@code input_ids} (through {@code Cast}/{@code Identity} nodes). Textual-inversion embeddings
 * extend this table.
 *
 * @param table the table's initializer, if found
 * @param explanation where it was found, or why it was not
 */
public record TokenEmbeddingLookup(Optional<Table> table, String explanation) {

  /** The initializer name ldm4j's text encoders (and Hugging Face's parameter names) give the table. */
  public static final String NAME = "text_model.embeddings.token_embedding.weight";

  private static final Set<String> PASS_THROUGH = Set.of("Identity", "Cast");

  /**
   * The table.
   *
   * @param name the initializer's name
   * @param rows the vocabulary size
   * @param width the hidden size
   * @param float16 whether it is stored as float16 (else float32 or another float type read as float)
   * @param values {@code rows × width} values, row-major
   */
  public record Table(String name, int rows, int width, boolean float16, float[] values) {}

  /**
   * Looks in {@code modelFile}.
   *
   * @param inputIds the name of the token-id input
   * @throws IOException when the file cannot be read (names the file)
   */
  public static TokenEmbeddingLookup find(Path modelFile, String inputIds) throws IOException {
    return OnnxModelIndex.read(modelFile, index -> {
      if (index.hasTensor(NAME)) {
        return table(index, NAME, "the initializer " + NAME);
      }
      for (OnnxModelIndex.Node n : index.consumers(inputIds)) {
        Optional<TokenEmbeddingLookup> found = fromConsumer(index, n, 0);
        if (found.isPresent()) {
          return found.get();
        }
      }
      return new TokenEmbeddingLookup(Optional.empty(), modelFile + " has neither the initializer " + NAME
          + " nor a Gather with a constant table indexed by '" + inputIds + "'");
    });
  }

  private static Optional<TokenEmbeddingLookup> fromConsumer(OnnxModelIndex index, OnnxModelIndex.Node n, int depth)
      throws IOException {
    if (depth > 4) {
      return Optional.empty();
    }
    if (PASS_THROUGH.contains(n.opType()) && !n.outputs().isEmpty()) {
      for (OnnxModelIndex.Node next : index.consumers(n.outputs().getFirst())) {
        Optional<TokenEmbeddingLookup> found = fromConsumer(index, next, depth + 1);
        if (found.isPresent()) {
          return found;
        }
      }
      return Optional.empty();
    }
    if (n.opType().equals("Gather") && n.inputs().size() == 2 && index.hasTensor(n.inputs().getFirst())) {
      String name = n.inputs().getFirst();
      return Optional.of(table(index, name, "the Gather table " + name));
    }
    return Optional.empty();
  }

  private static TokenEmbeddingLookup table(OnnxModelIndex index, String name, String where) throws IOException {
    long[] dims = index.dims(name).orElseThrow();
    if (dims.length != 2 || dims[0] < 1 || dims[1] < 1 || dims[0] * dims[1] > Integer.MAX_VALUE - 8) {
      return new TokenEmbeddingLookup(Optional.empty(), where + " in " + index.file() + " is not a [vocabulary, width] "
          + "matrix: " + java.util.Arrays.toString(dims));
    }
    float[] values = index.floats(name).orElseThrow();
    return new TokenEmbeddingLookup(
        Optional.of(new Table(name, (int) dims[0], (int) dims[1], index.isFloat16(name), values)), where);
  }
}
