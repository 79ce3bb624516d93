package io.github.ldm4j.checkpoint.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.StateDict;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ownership of the mapping: close is idempotent; nothing mapped is usable afterwards. */
class TorchCheckpointLifecycleTest {

  @TempDir Path dir;

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() throws IOException {
    TorchCheckpoint ckpt = TorchCheckpoint.open(TestFiles.copy("torch/plain.zip.pt", dir));
    MemorySegment before = ckpt.data("model.w_f16");
    ckpt.close();
    ckpt.close();
    assertThatThrownBy(() -> ckpt.data("model.w_f16")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> ckpt.toFloat("model.w_f16")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> before.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    // What was read before stays readable.
    assertThat(ckpt.entries()).hasSize(11);
    assertThat(ckpt.file()).isEqualTo(dir.resolve("plain.zip.pt"));
  }

  @Test
  void unknownNamesAndNonFloatingTensors() throws IOException {
    try (StateDict ckpt = TorchCheckpoint.open(TestFiles.copy("torch/plain.legacy.pt", dir))) {
      assertThatThrownBy(() -> ckpt.data("nope")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tensor 'nope'");
      assertThatThrownBy(() -> ckpt.toFloat("nope")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> ckpt.toFloat("model.buf_i64")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has dtype I64, which is not floating point");
      assertThatThrownBy(() -> ckpt.toFloat("model.empty")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has no element");
      assertThat(ckpt.entry("model.w_bf16")).isPresent();
      assertThat(ckpt.entry("nope")).isEmpty();
    }
  }

  @Test
  void segmentsAreReadOnly() throws IOException {
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(TestFiles.copy("torch/plain.zip.pt", dir))) {
      MemorySegment s = ckpt.data("model.w_f16");
      assertThatThrownBy(() -> s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
    }
  }

  @Test
  void aMissingFileIsAnIoError() {
    assertThatThrownBy(() -> TorchCheckpoint.open(dir.resolve("missing.pt"))).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void describesItself() throws IOException {
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(TestFiles.copy("torch/lightning.legacy.pt", dir))) {
      assertThat(ckpt).hasToString("TorchCheckpoint[" + dir.resolve("lightning.legacy.pt") + ", LEGACY, 11 tensors]");
    }
  }
}
