package io.github.ldm4j.export.onnx;

/** Receives progress while a model's initializers are written. */
@FunctionalInterface
public interface WriteProgress {

  /** Ignores progress. */
  WriteProgress NONE = (file, done, total) -> { };

  /**
   * Called after each chunk of initializer data; external data is produced in parallel, so the
   * calls may come from several threads (one at a time, with {@code doneBytes} increasing).
   *
   * @param file the model file being written
   * @param doneBytes initializer bytes produced so far for this file
   * @param totalBytes initializer bytes this file will hold in all
   */
  void onProgress(java.nio.file.Path file, long doneBytes, long totalBytes);
}
