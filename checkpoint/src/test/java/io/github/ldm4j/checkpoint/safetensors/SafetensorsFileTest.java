package io.github.ldm4j.checkpoint.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Reading what the writer wrote: every dtype, 0-d tensors, metadata, zero-copy data, float conversion, close. */
class SafetensorsFileTest {

  @TempDir Path dir;

  private static MemorySegment randomBytes(long n, long seed) {
    byte[] b = new byte[(int) n];
    new Random(seed).nextBytes(b);
    return MemorySegment.ofArray(b);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void everyDtypeRoundTrips(DType dtype) throws IOException {
    long[] shape = {2, 3, 1};
    MemorySegment bytes = randomBytes(6L * dtype.bytes(), dtype.ordinal());
    MemorySegment scalar = randomBytes(dtype.bytes(), 100 + dtype.ordinal());
    Path file = dir.resolve("t.safetensors");
    new SafetensorsWriter()
        .add("x", dtype, shape, bytes)
        .add("scalar", dtype, new long[0], scalar)
        .add("empty", dtype, new long[] {3, 0}, MemorySegment.NULL)
        .write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertThat(f.entries()).containsOnlyKeys("x", "scalar", "empty");
      assertThat(f.entries().get("x")).isEqualTo(new TensorEntry("x", dtype, shape));
      assertThat(f.entries().get("scalar").shape()).isEmpty();
      assertThat(f.entries().get("scalar").elements()).isEqualTo(1);
      assertThat(f.entries().get("empty").elements()).isZero();
      assertThat(f.data("x").mismatch(bytes)).isEqualTo(-1);
      assertThat(f.data("scalar").mismatch(scalar)).isEqualTo(-1);
      assertThat(f.data("empty").byteSize()).isZero();
      assertThat(f.metadata()).isEmpty();
      assertThat(f.file()).isEqualTo(file);
    }
  }

  @Test
  void floatTensorsRoundTripExactly() throws IOException {
    Tensor t = Tensor.of(new float[] {1.5f, -0f, Float.MIN_VALUE, Float.NaN, Float.NEGATIVE_INFINITY, 3e38f}, 2, 3);
    Tensor scalar = Tensor.of(Shape.of(), new float[] {0.9999f});
    Path file = dir.resolve("f.safetensors");
    new SafetensorsWriter().add("t", t).add("s", scalar).write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      Tensor back = f.toFloat("t");
      assertThat(back.shape()).isEqualTo(Shape.of(2, 3));
      for (int i = 0; i < t.size(); i++) {
        assertThat(Float.floatToRawIntBits(back.get(i))).isEqualTo(Float.floatToRawIntBits(t.get(i)));
      }
      Tensor s = f.toFloat("s");
      assertThat(s.rank()).isZero();
      assertThat(s.get(0)).isEqualTo(0.9999f);
    }
  }

  @Test
  void metadataRoundTripsInOrder() throws IOException {
    Path file = dir.resolve("m.safetensors");
    new SafetensorsWriter()
        .metadata("format", "pt")
        .metadata(Map.of("ss_tag_frequency", "{\"a\": 1}"))
        .metadata("unicode", "\u00e4 \uD83D\uDE00 \t\n\"\\ \u0000")
        .add("w", DType.U8, new long[] {1}, MemorySegment.ofArray(new byte[] {7}))
        .write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertThat(f.metadata()).containsExactly(
          Map.entry("format", "pt"),
          Map.entry("ss_tag_frequency", "{\"a\": 1}"),
          Map.entry("unicode", "\u00e4 \uD83D\uDE00 \t\n\"\\ \u0000"));
      assertThatThrownBy(() -> f.metadata().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> f.entries().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void dataIsASliceOfTheMappingNotACopy() throws IOException {
    Path file = dir.resolve("z.safetensors");
    new SafetensorsWriter()
        .add("a", DType.I64, new long[] {4}, randomBytes(32, 1))
        .add("b", DType.F16, new long[] {3}, randomBytes(6, 2))
        .write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      MemorySegment section = f.dataSection();
      assertThat(section.isMapped()).isTrue();
      assertThat(section.isReadOnly()).isTrue();
      assertThat(section.byteSize()).isEqualTo(Files.size(file) - 8 - f.headerLength());
      MemorySegment b = f.data("b");
      assertThat(b.isReadOnly()).isTrue();
      assertThat(b.isMapped()).isTrue();
      assertThat(f.dataOffset("b")).isEqualTo(32);
      assertThat(b.address()).isEqualTo(section.address() + f.dataOffset("b"));
      assertThat(b.byteSize()).isEqualTo(6);
      assertThatThrownBy(() -> b.set(ValueLayout.JAVA_BYTE, 0, (byte) 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("read-only");

      // A write to the file shows through the segment: it is the page cache, not a heap copy.
      long position = 8 + f.headerLength() + f.dataOffset("b");
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xAB, (byte) 0xCD}), position);
      }
      assertThat(b.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0)).isEqualTo((short) 0xCDAB);
    }
  }

  @Test
  void toFloatConvertsHalvesBrainFloatsAndDoubles() throws IOException {
    Path file = dir.resolve("c.safetensors");
    MemorySegment doubles = Arena.ofAuto().allocate(8 * 5);
    double[] ds = {1.5, -2.25, 1e300, 1e-50, 0.1};
    for (int i = 0; i < ds.length; i++) {
      doubles.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, ds[i]);
    }
    new SafetensorsWriter()
        // 1, -2, 2^-24 (smallest subnormal), 2^-14 - 2^-24 (largest subnormal), 65504, -0, +inf, -inf, nan
        .add("f16", DType.F16, new long[] {9}, MemorySegment.ofArray(
            Bytes.shorts(0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x8000, 0x7C00, 0xFC00, 0x7E00)))
        // 1, -3, 2^-133 (smallest subnormal), 2^-126 (smallest normal), max, +inf, nan, -0
        .add("bf16", DType.BF16, new long[] {8}, MemorySegment.ofArray(
            Bytes.shorts(0x3F80, 0xC040, 0x0001, 0x0080, 0x7F7F, 0x7F80, 0x7FC0, 0x8000)))
        .add("f64", DType.F64, new long[] {5}, doubles)
        .write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertThat(f.toFloat("f16").toArray()).containsExactly(
          1f, -2f, 0x1p-24f, 0x1p-14f - 0x1p-24f, 65504f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN);
      assertThat(Float.floatToRawIntBits(f.toFloat("f16").get(5))).isEqualTo(0x8000_0000);
      assertThat(f.toFloat("bf16").toArray()).containsExactly(
          1f, -3f, 0x1p-133f, Float.MIN_NORMAL, 0x1.FEp127f, Float.POSITIVE_INFINITY, Float.NaN, -0f);
      assertThat(f.toFloat("f64").toArray()).containsExactly(1.5f, -2.25f, Float.POSITIVE_INFINITY, 0f, 0.1f);
      assertThat(f.toFloat("f16").shape()).isEqualTo(Shape.of(9));
    }
  }

  @Test
  void toFloatRefusesIntegersAndEmptyTensorsNamingThem() throws IOException {
    Path file = dir.resolve("i.safetensors");
    new SafetensorsWriter()
        .add("position_ids", DType.I64, new long[] {1, 2}, randomBytes(16, 3))
        .add("flag", DType.BOOL, new long[] {1}, randomBytes(1, 4))
        .add("nothing", DType.F16, new long[] {2, 0}, MemorySegment.NULL)
        .write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertThatThrownBy(() -> f.toFloat("position_ids"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContainingAll("'position_ids'", "I64", "not floating point");
      assertThatThrownBy(() -> f.toFloat("flag")).hasMessageContainingAll("'flag'", "BOOL");
      assertThatThrownBy(() -> f.toFloat("nothing"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContainingAll("'nothing'", "[2, 0]", "no element");
      assertThatThrownBy(() -> f.toFloat("missing"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no tensor named 'missing'");
      assertThatThrownBy(() -> f.data("missing")).isInstanceOf(IllegalArgumentException.class);
      assertThat(f.entry("missing")).isEmpty();
      assertThat(f.entry("flag")).get().extracting(TensorEntry::dtype).isEqualTo(DType.BOOL);
    }
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseIsAnIllegalStateException() throws IOException {
    Path file = dir.resolve("x.safetensors");
    new SafetensorsWriter().add("w", Tensor.of(new float[] {1, 2}, 2)).write(file);
    SafetensorsFile f = SafetensorsFile.open(file);
    MemorySegment w = f.data("w");
    Tensor converted = f.toFloat("w");
    f.close();
    f.close();
    assertThat(f.toString()).endsWith("closed]");
    assertThatThrownBy(() -> f.data("w")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> f.toFloat("w")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(f::dataSection).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> w.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    // what toFloat returned is the caller's, not the mapping's
    assertThat(converted.toArray()).containsExactly(1f, 2f);
    // the description stays readable
    assertThat(f.entries()).containsOnlyKeys("w");
  }

  @Test
  void isAStateDictForTryWithResources() throws Exception {
    Path file = dir.resolve("s.safetensors");
    new SafetensorsWriter().add("w", Tensor.of(new float[] {4}, 1)).write(file);
    try (StateDict sd = SafetensorsFile.open(file)) {
      assertThat(sd.toFloat("w").get(0)).isEqualTo(4f);
    }
  }

  @Test
  void readsConcurrently() throws Exception {
    Path file = dir.resolve("p.safetensors");
    int n = 50_000;
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i * 0.25f;
    }
    new SafetensorsWriter().add("w", Tensor.of(values, n)).write(file);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      List<Future<float[]>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> f.toFloat("w").toArray()));
      }
      for (Future<float[]> r : results) {
        assertThat(r.get()).containsExactly(values);
      }
    } finally {
      pool.shutdown();
    }
  }
}
