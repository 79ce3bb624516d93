package io.github.ldm4j.checkpoint.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Round trips against files written by real {@code torch.save} (torch 1.13, see
 * src/test/python/make_torch_fixtures.py): every tensor's dtype, shape and bytes against the values
 * torch wrote to expected.json, in both layouts, plain and Lightning-wrapped.
 */
class TorchCheckpointRealFilesTest {

  private static final JsonNode EXPECTED = expected();

  @TempDir Path dir;

  private static JsonNode expected() {
    try {
      return new ObjectMapper().readTree(TestFiles.resource("torch/expected.json")).get("tensors");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private TorchCheckpoint open(String name) throws IOException {
    return TorchCheckpoint.open(TestFiles.copy("torch/" + name, dir));
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain.zip.pt", "plain.legacy.pt", "lightning.zip.pt", "lightning.legacy.pt"})
  void everyTensorMatchesWhatTorchWrote(String name) throws IOException {
    try (TorchCheckpoint ckpt = open(name)) {
      List<String> names = new ArrayList<>();
      EXPECTED.fieldNames().forEachRemaining(names::add);
      assertThat(ckpt.entries().keySet()).containsExactlyElementsOf(names);
      for (String tensor : names) {
        JsonNode e = EXPECTED.get(tensor);
        TensorEntry entry = ckpt.entries().get(tensor);
        assertThat(entry.dtype()).as(tensor).isEqualTo(dtype(e.get("dtype").asText()));
        long[] shape = new long[e.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
          shape[i] = e.get("shape").get(i).asLong();
        }
        assertThat(entry.shape()).as(tensor).containsExactly(shape);
        byte[] bytes = HexFormat.of().parseHex(e.get("hex").asText());
        MemorySegment data = ckpt.data(tensor);
        assertThat(data.toArray(ValueLayout.JAVA_BYTE)).as(tensor).containsExactly(bytes);
        assertThat(data.isReadOnly()).isTrue();
        if (entry.dtype().isFloating() && entry.elements() > 0) {
          assertThat(ckpt.toFloat(tensor).toArray()).as(tensor).containsExactly(widen(entry.dtype(), bytes));
        }
      }
      assertThat(ckpt.format()).isEqualTo(name.contains("zip") ? TorchCheckpoint.Format.ZIP : TorchCheckpoint.Format.LEGACY);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain.zip.pt", "plain.legacy.pt", "lightning.zip.pt", "lightning.legacy.pt"})
  void knownValues(String name) throws IOException {
    try (TorchCheckpoint ckpt = open(name)) {
      assertThat(ckpt.toFloat("model.diffusion_model.w_f32").toArray()).containsExactly(-1.25f, -0.75f, -0.25f, 0.25f, 0.75f, 1.25f);
      assertThat(ckpt.toFloat("model.diffusion_model.w_f32").shape().dims()).containsExactly(2, 3);
      assertThat(ckpt.toFloat("model.diffusion_model.row1").toArray()).containsExactly(0.25f, 0.75f, 1.25f);
      assertThat(ckpt.toFloat("model.w_f16").toArray()).containsExactly(1f, -2.5f, 65504f, Float.float16ToFloat((short) 0x068e));
      Tensor bf16 = ckpt.toFloat("model.w_bf16");
      assertThat(bf16.toArray()[0]).isEqualTo(3.140625f);
      assertThat(bf16.toArray()[1]).isEqualTo(-0.5f);
      assertThat(bf16.toArray()[2]).isCloseTo(1e30f, org.assertj.core.data.Percentage.withPercentage(1));
      assertThat(ckpt.toFloat("model.w_f64").toArray()).containsExactly(0.1f, -0f, 2f);
      assertThat(ckpt.toFloat("model.param").toArray()).containsExactly(0.25f, 0.75f);
      Tensor scalar = ckpt.toFloat("model.scalar_f32");
      assertThat(scalar.rank()).isZero();
      assertThat(scalar.get(0)).isEqualTo(42.5f);
      assertThat(ckpt.data("model.buf_i64").toArray(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)))
          .containsExactly(1L, -2L, 1L << 40);
      TensorEntry numUpdates = ckpt.entries().get("model_ema.num_updates");
      assertThat(numUpdates.dtype()).isEqualTo(DType.I32);
      assertThat(numUpdates.shape()).isEmpty();
      assertThat(ckpt.data("model_ema.num_updates").get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0)).isEqualTo(7);
      assertThat(ckpt.entries().get("model.empty").shape()).containsExactly(0, 4);
      assertThat(ckpt.data("model.empty").byteSize()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain.zip.pt", "plain.legacy.pt"})
  void viewsShareTheMappedStorage(String name) throws IOException {
    try (TorchCheckpoint ckpt = open(name)) {
      MemorySegment whole = ckpt.data("model.diffusion_model.w_f32");
      MemorySegment row = ckpt.data("model.diffusion_model.row1");
      assertThat(whole.isMapped()).isTrue();
      assertThat(row.address()).isEqualTo(whole.address() + 3 * Float.BYTES);
    }
  }

  @Test
  void zipStoragesAreMappedAtTheirAlignedOffsets() throws IOException {
    try (TorchCheckpoint ckpt = open("plain.zip.pt")) {
      for (String tensor : List.of("model.w_f16", "model.w_bf16", "model.buf_i64")) {
        assertThat(ckpt.data(tensor).address() % 64).as(tensor).isZero();
      }
    }
  }

  @Test
  void lightningMetadataHoldsTheTopLevelScalars() throws IOException {
    try (TorchCheckpoint zip = open("lightning.zip.pt"); TorchCheckpoint legacy = open("lightning.legacy.pt")) {
      Map<String, String> expected = Map.of("epoch", "3", "global_step", "1234", "pytorch-lightning_version", "1.4.2");
      assertThat(zip.metadata()).containsExactlyInAnyOrderEntriesOf(expected);
      assertThat(legacy.metadata()).containsExactlyInAnyOrderEntriesOf(expected);
    }
  }

  @Test
  void aPlainStateDictHasNoMetadata() throws IOException {
    try (TorchCheckpoint ckpt = open("plain.zip.pt")) {
      assertThat(ckpt.metadata()).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"noncontiguous.zip.pt", "noncontiguous.legacy.pt"})
  void aNonContiguousTensorIsRefusedByName(String name) {
    assertThatThrownBy(() -> open(name))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(name)
        .hasMessageContaining("tensor 't' is not contiguous")
        .hasMessageContaining("stride [1, 3]");
  }

  private static DType dtype(String torchName) {
    return switch (torchName) {
      case "float32" -> DType.F32;
      case "float16" -> DType.F16;
      case "bfloat16" -> DType.BF16;
      case "float64" -> DType.F64;
      case "int64" -> DType.I64;
      case "int32" -> DType.I32;
      default -> throw new IllegalArgumentException(torchName);
    };
  }

  /** Float32 values of little-endian data, computed independently of the reader. */
  private static float[] widen(DType dtype, byte[] bytes) {
    MemorySegment s = MemorySegment.ofArray(bytes);
    int n = bytes.length / dtype.bytes();
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = switch (dtype) {
        case F32 -> s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
        case F64 -> (float) s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
        case F16 -> Float.float16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i));
        case BF16 -> Float.intBitsToFloat(
            (s.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i) & 0xFFFF) << 16);
        default -> throw new IllegalArgumentException(dtype.toString());
      };
    }
    return out;
  }
}
