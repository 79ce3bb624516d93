package io.github.ldm4j.checkpoint.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

  @TempDir Path dir;

  @Test
  void writesTheDocumentedLayout() throws IOException {
    Path file = dir.resolve("w.safetensors");
    new SafetensorsWriter()
        .add("b", DType.U8, new long[] {2}, MemorySegment.ofArray(new byte[] {1, 2}))
        .add("a", DType.F32, new long[0], MemorySegment.ofArray(new byte[] {0, 0, (byte) 0x80, 0x3F}))
        .write(file);
    byte[] bytes = Files.readAllBytes(file);
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(n % 8).isZero();
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertThat(header.stripTrailing()).isEqualTo(
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}}");
    assertThat(header).endsWith(" ");
    assertThat(Arrays.copyOfRange(bytes, 8 + (int) n, bytes.length)).containsExactly(0, 0, 0x80, 0x3F, 1, 2);
  }

  @Test
  void anEmptyWriterWritesAnEmptyFile() throws IOException {
    Path file = dir.resolve("empty.safetensors");
    new SafetensorsWriter().write(file);
    // the reference implementation's own bytes for no tensors: 8, "{}" and six spaces
    assertThat(Files.readAllBytes(file)).containsExactly(8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' ');
  }

  @Test
  void refusesWhatNoReaderWouldAccept() {
    SafetensorsWriter w = new SafetensorsWriter().add("w", Tensor.of(new float[] {1}, 1));
    assertThatThrownBy(() -> w.add("w", Tensor.of(new float[] {1}, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tensor 'w' was already added");
    assertThatThrownBy(() -> w.add("__metadata__", Tensor.of(new float[] {1}, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> w.add("x", DType.F16, new long[] {3}, MemorySegment.ofArray(new byte[4])))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tensor 'x' F16[3] needs 6 bytes, got 4");
    assertThatThrownBy(() -> w.add("y", DType.F16, new long[] {-1}, MemorySegment.NULL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative dimension");
  }

  @Test
  void replacesAFileThatIsOpenWithoutDisturbingItsReader() throws IOException {
    Path file = dir.resolve("open.safetensors");
    new SafetensorsWriter().add("w", Tensor.of(new float[] {1, 2, 3}, 3)).write(file);
    try (SafetensorsFile old = SafetensorsFile.open(file)) {
      new SafetensorsWriter().add("v", Tensor.of(new float[] {9}, 1)).write(file);
      assertThat(old.toFloat("w").toArray()).containsExactly(1f, 2f, 3f);
      try (SafetensorsFile fresh = SafetensorsFile.open(file)) {
        assertThat(fresh.entries()).containsOnlyKeys("v");
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void theWrittenFileHasOrdinaryPermissions() throws IOException {
    Path plain = Files.writeString(dir.resolve("plain"), "");
    Path file = dir.resolve("p.safetensors");
    new SafetensorsWriter().write(file);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(plain))
        .contains(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void aFailedWriteLeavesTheTargetAsItWasAndNoTemporaryFile() throws IOException {
    Path file = Files.writeString(dir.resolve("keep.safetensors"), "old");
    MemorySegment gone;
    try (Arena arena = Arena.ofConfined()) {
      gone = arena.allocate(4);
    }
    SafetensorsWriter w = new SafetensorsWriter()
        .add("ok", Tensor.of(new float[] {1}, 1))
        .add("gone", DType.F32, new long[] {1}, gone);
    assertThatThrownBy(() -> w.write(file)).isInstanceOf(IllegalStateException.class);
    assertThat(Files.readString(file)).isEqualTo("old");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }
}
