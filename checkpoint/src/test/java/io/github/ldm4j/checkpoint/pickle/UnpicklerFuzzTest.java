package io.github.ldm4j.checkpoint.pickle;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.checkpoint.pickle.internal.BadFormatException;
import io.github.ldm4j.checkpoint.pickle.internal.PickleLimits;
import io.github.ldm4j.checkpoint.pickle.internal.TorchStorages;
import io.github.ldm4j.checkpoint.pickle.internal.Unpickler;
import java.lang.foreign.MemorySegment;

/**
 * The restricted unpickler on arbitrary bytes, with torch's persistent ids: it either returns a
 * value or fails with {@link BadFormatException} (what {@link TorchCheckpoint} reports as a
 * CheckpointFormatException); any other exception, a hang or a crash is a finding. Runs its seeds
 * (UnpicklerFuzzTestInputs/) in every build; fuzzes with JAZZER_FUZZ=1.
 */
class UnpicklerFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void unpickle(byte[] data) {
    try {
      new Unpickler(MemorySegment.ofArray(data), 0, new TorchStorages(false), PickleLimits.DEFAULTS).load();
    } catch (BadFormatException expected) {
      // refused: the allowed outcome for bytes that are not a pickle this reader accepts
    }
  }
}
