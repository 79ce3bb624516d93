package io.github.ldm4j.checkpoint.pickle;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.checkpoint.pickle.internal.BadFormatException;
import io.github.ldm4j.checkpoint.pickle.internal.PickleLimits;
import io.github.ldm4j.checkpoint.pickle.internal.StateDicts;
import io.github.ldm4j.checkpoint.pickle.internal.TorchFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link TorchCheckpoint#open} on arbitrary files: it either opens, and then every tensor's data is
 * readable (and float conversion of floating ones either works or refuses with its documented
 * IllegalArgumentException), or fails with {@link CheckpointFormatException}. Seeds
 * (TorchCheckpointFuzzTestInputs/) are small real torch.save files in both layouts.
 */
class TorchCheckpointFuzzTest {

  private static final Path FILE = tempFile();

  private static Path tempFile() {
    try {
      Path p = Files.createTempFile("ldm4j-fuzz", ".pt");
      p.toFile().deleteOnExit();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "60s")
  void open(byte[] data) throws IOException {
    Files.write(FILE, data);
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(FILE)) {
      for (TensorEntry e : ckpt.entries().values()) {
        long bytes = ckpt.data(e.name()).byteSize();
        if (bytes != e.byteSize()) {
          throw new AssertionError(e + ": " + bytes + " bytes of data");
        }
        if (e.dtype().isFloating() && e.elements() > 0 && e.elements() <= 1 << 16) {
          ckpt.toFloat(e.name());
        }
      }
    } catch (CheckpointFormatException expected) {
      // refused: the allowed outcome for a file that is not a checkpoint this reader accepts
    }
  }

  /** The same reading from memory, without the file system: many more executions per second. */
  @FuzzTest(maxDuration = "60s")
  void read(byte[] data) {
    MemorySegment file = MemorySegment.ofArray(data);
    try {
      StateDicts.Extracted extracted = StateDicts.extract(TorchFiles.read(file, PickleLimits.DEFAULTS));
      for (var e : extracted.entries().entrySet()) {
        TorchFiles.Slice slice = extracted.locations().get(e.getKey());
        if (slice.length() != e.getValue().byteSize()) {
          throw new AssertionError(e.getValue() + ": " + slice.length() + " bytes of data");
        }
        file.asSlice(slice.offset(), slice.length()); // inside the file, or this throws
      }
    } catch (BadFormatException expected) {
      // refused
    }
  }
}
