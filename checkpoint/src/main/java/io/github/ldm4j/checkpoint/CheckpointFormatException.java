package io.github.ldm4j.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that is not what it claims: truncated, malformed, hostile (a pickle that asks
 * for a forbidden global), or inconsistent (offsets outside the file, overlapping data, a size that
 * does not match shape × dtype). The message names the file and, where there is one, the tensor.
 */
public class CheckpointFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  /** @param file the file read */
  public CheckpointFormatException(Path file, String message) {
    super(file + ": " + message);
  }

  /** @param file the file read */
  public CheckpointFormatException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
  }
}
