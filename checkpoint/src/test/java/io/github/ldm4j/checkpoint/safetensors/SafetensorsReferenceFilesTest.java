package io.github.ldm4j.checkpoint.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.tensor.Shape;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written by the reference implementation (safetensors 0.8.0, see
 * {@code reference/make_reference_files.py}): read with the values the script wrote, rewritten
 * byte for byte by {@link SafetensorsWriter}, and every proper prefix refused.
 */
class SafetensorsReferenceFilesTest {

  private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  @TempDir Path dir;

  private SafetensorsFile open(String name) throws IOException {
    return SafetensorsFile.open(Bytes.write(dir, name, Bytes.resource("reference/" + name)));
  }

  @Test
  void allDtypes() throws IOException {
    try (SafetensorsFile f = open("all-dtypes.safetensors")) {
      assertThat(f.metadata()).containsExactly(Map.entry("format", "pt"));
      assertThat(f.entries().keySet()).containsExactly("i64", "f64", "f32", "i32", "bf16", "f16", "i16", "i8", "u8", "bool");
      assertThat(f.entries().values()).extracting(TensorEntry::dtype).containsExactly(
          DType.I64, DType.F64, DType.F32, DType.I32, DType.BF16, DType.F16, DType.I16, DType.I8, DType.U8, DType.BOOL);

      assertThat(f.toFloat("f64").toArray()).containsExactly(1.5f, -2.25f, Float.POSITIVE_INFINITY, 0.1f);
      assertThat(f.toFloat("f32").shape()).isEqualTo(Shape.of(2, 3));
      assertThat(f.toFloat("f32").toArray()).containsExactly(-1f, -0.5f, 0f, 0.5f, 1f, 1.5f);
      assertThat(f.toFloat("f16").toArray())
          .containsExactly(1f, -2f, 0x1p-24f, 65504f, -0f, Float.POSITIVE_INFINITY, Float.NaN);
      assertThat(f.toFloat("bf16").toArray())
          .containsExactly(1f, -3f, 0x1p-133f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN);

      assertThat(f.entries().get("i64").shape()).containsExactly(1, 5);
      assertThat(f.data("i64").toArray(I64)).containsExactly(0, 1, 2, 3, 4);
      assertThat(f.entries().get("i32").shape()).isEmpty();
      assertThat(f.data("i32").get(I32, 0)).isEqualTo(123456);
      assertThat(f.data("i16").toArray(I16)).containsExactly((short) -1, (short) 0, (short) 32767);
      assertThat(f.data("i8").toArray(ValueLayout.JAVA_BYTE)).containsExactly((byte) -128, (byte) 127);
      assertThat(f.data("u8").toArray(ValueLayout.JAVA_BYTE)).containsExactly((byte) 0, (byte) 128, (byte) 255);
      assertThat(f.data("bool").toArray(ValueLayout.JAVA_BYTE)).containsExactly(1, 0, 0, 1);
      assertThat(f.entries().get("bool").shape()).containsExactly(2, 2);
    }
  }

  @Test
  void stableDiffusionInMiniature() throws IOException {
    try (SafetensorsFile f = open("sd-tiny.safetensors")) {
      assertThat(f.metadata()).isEmpty();
      assertThat(f.entries()).hasSize(8);
      TensorEntry ids = f.entries().get("cond_stage_model.transformer.text_model.embeddings.position_ids");
      assertThat(ids.dtype()).isEqualTo(DType.I64);
      assertThat(ids.shape()).containsExactly(1, 77);
      long[] positions = f.data(ids.name()).toArray(I64);
      assertThat(positions).hasSize(77);
      for (int i = 0; i < 77; i++) {
        assertThat(positions[i]).isEqualTo(i);
      }
      assertThat(f.entries().get("model_ema.num_updates")).isEqualTo(new TensorEntry("model_ema.num_updates", DType.I32, new long[0]));
      assertThat(f.data("model_ema.num_updates").get(I32, 0)).isZero();
      assertThat(f.toFloat("model_ema.decay").get(0)).isEqualTo(0.9999f);

      float[] weight = f.toFloat("model.diffusion_model.input_blocks.0.0.weight").toArray();
      assertThat(weight).hasSize(18);
      for (int i = 0; i < 18; i++) {
        assertThat(weight[i]).isEqualTo((i - 9) / 8f);
      }
      assertThat(f.toFloat("model.diffusion_model.input_blocks.0.0.weight").shape()).isEqualTo(Shape.of(2, 1, 3, 3));
      assertThat(f.toFloat("model.diffusion_model.input_blocks.0.0.bias").toArray()).containsExactly(0.5f, -0.5f);
      assertThat(f.toFloat("model.diffusion_model.out.2.weight").toArray()).containsExactly(1f, -0.5f);
      assertThat(f.toFloat("first_stage_model.encoder.conv_in.weight").toArray()).containsExactly(0.18215f);
      assertThat(f.toFloat("alphas_cumprod").toArray()).containsExactly(0.99915f, 0.99830f, 0.99744f, 0.99659f);
    }
  }

  @Test
  void zeroSizeTensorsAndEscapedMetadata() throws IOException {
    try (SafetensorsFile f = open("zero-size.safetensors")) {
      assertThat(f.metadata()).containsExactly(Map.entry("note", "tab\there, \"quoted\", \u2713"));
      assertThat(f.entries().keySet()).containsExactly("empty", "one", "gewicht.\u00e4");
      assertThat(f.entries().get("empty").shape()).containsExactly(0, 3);
      assertThat(f.data("empty").byteSize()).isZero();
      assertThat(f.data("gewicht.\u00e4").byteSize()).isZero();
      assertThat(f.toFloat("one").toArray()).containsExactly(1f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"all-dtypes.safetensors", "sd-tiny.safetensors", "zero-size.safetensors"})
  void theWriterReproducesTheReferenceBytes(String name) throws IOException {
    byte[] reference = Bytes.resource("reference/" + name);
    Path copy = dir.resolve("copy-" + name);
    try (SafetensorsFile f = open(name)) {
      SafetensorsWriter w = new SafetensorsWriter().metadata(f.metadata());
      // added in reverse: the writer orders as the reference does, whatever the order of add
      Object[] names = f.entries().keySet().toArray();
      for (int i = names.length - 1; i >= 0; i--) {
        TensorEntry e = f.entries().get((String) names[i]);
        w.add(e.name(), e.dtype(), e.shape(), f.data(e.name()));
      }
      w.write(copy);
    }
    assertThat(Files.readAllBytes(copy)).isEqualTo(reference);
  }

  @ParameterizedTest
  @ValueSource(strings = {"all-dtypes.safetensors", "sd-tiny.safetensors", "zero-size.safetensors"})
  void everyProperPrefixIsRefusedCleanly(String name) throws IOException {
    byte[] whole = Bytes.resource("reference/" + name);
    Path file = dir.resolve("prefix.safetensors");
    for (int length = 0; length < whole.length; length++) {
      Files.write(file, Arrays.copyOf(whole, length));
      int at = length;
      assertThatThrownBy(() -> SafetensorsFile.open(file).close())
          .as("prefix of %d bytes", at)
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageStartingWith(file + ": ");
    }
    Files.write(file, whole);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertThat(f.entries()).isNotEmpty();
    }
  }

  @Test
  void dataSegmentsCoverTheFileExactly() throws IOException {
    byte[] whole = Bytes.resource("reference/sd-tiny.safetensors");
    try (SafetensorsFile f = open("sd-tiny.safetensors")) {
      long covered = 0;
      for (TensorEntry e : f.entries().values()) {
        MemorySegment d = f.data(e.name());
        assertThat(f.dataOffset(e.name())).isEqualTo(covered);
        assertThat(d.byteSize()).isEqualTo(e.byteSize());
        long fileOffset = 8 + f.headerLength() + covered;
        assertThat(d.toArray(ValueLayout.JAVA_BYTE))
            .isEqualTo(Arrays.copyOfRange(whole, (int) fileOffset, (int) (fileOffset + d.byteSize())));
        covered += d.byteSize();
      }
      assertThat(8 + f.headerLength() + covered).isEqualTo(whole.length);
    }
  }
}
