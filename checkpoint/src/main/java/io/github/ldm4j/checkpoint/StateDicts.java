package io.github.ldm4j.checkpoint;

import io.github.ldm4j.checkpoint.pickle.TorchCheckpoint;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a checkpoint file of either format by its content, not its name: a plausible safetensors
 * start (a header length inside the file followed by {@code '{'}) is safetensors ({@link
 * SafetensorsFile}); otherwise a zip ({@code PK\3\4}) or a pickle ({@code 0x80} protocol opcode)
 * is a PyTorch {@code torch.save} file ({@link TorchCheckpoint}); anything else is read as
 * safetensors, whose validation names what is wrong with a file that is neither.
 */
public final class StateDicts {

  private StateDicts() {}

  /**
   * Opens {@code file}. The caller owns the result and must close it.
   *
   * @throws NoSuchFileException when the file does not exist or is a folder
   * @throws CheckpointFormatException naming the file when it is malformed or hostile
   */
  public static StateDict open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "not a checkpoint file");
    }
    byte[] head = new byte[9];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    long size = Files.size(file);
    long headerLength = 0;
    for (int i = 7; i >= 0 && n == 9; i--) {
      headerLength = (headerLength << 8) | (head[i] & 0xFF);
    }
    boolean safetensors = n == 9 && headerLength > 0 && headerLength <= size - 8 && head[8] == '{';
    boolean zip = n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    boolean pickle = n >= 1 && (head[0] & 0xFF) == 0x80;
    return !safetensors && (zip || pickle) ? TorchCheckpoint.open(file) : SafetensorsFile.open(file);
  }
}
