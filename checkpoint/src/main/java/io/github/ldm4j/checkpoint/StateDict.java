package io.github.ldm4j.checkpoint;

import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The tensors of one checkpoint file, by name, read lazily from the (memory-mapped) file: a
 * safetensors file or a PyTorch {@code .ckpt}/{@code .pt}. Nothing is copied through the heap
 * until a tensor is asked for.
 *
 * <p><b>Ownership:</b> a state dict owns the mapping of its file; {@link #close()} unmaps it and is
 * idempotent. Segments returned by {@link #data} are valid until then (using one afterwards throws
 * {@link IllegalStateException}). Thread-safe for reading.
 */
public interface StateDict extends AutoCloseable {

  /** The file read. */
  Path file();

  /** Every tensor, by name, in the file's order. */
  Map<String, TensorEntry> entries();

  /** Free-form string metadata ({@code __metadata__} of safetensors); empty when the file has none. */
  Map<String, String> metadata();

  /** The entry named {@code name}, if present. */
  default Optional<TensorEntry> entry(String name) {
    return Optional.ofNullable(entries().get(name));
  }

  /**
   * The raw little-endian bytes of tensor {@code name}, read-only, without copying.
   *
   * @throws IllegalArgumentException for an unknown name
   * @throws IllegalStateException after {@link #close()}
   */
  MemorySegment data(String name);

  /**
   * Tensor {@code name} converted to float32 (F64/F16/BF16 converted, F32 copied).
   *
   * @throws IllegalArgumentException for an unknown name or a non-floating dtype
   */
  Tensor toFloat(String name);

  /** Unmaps the file; idempotent. */
  @Override
  void close();
}
