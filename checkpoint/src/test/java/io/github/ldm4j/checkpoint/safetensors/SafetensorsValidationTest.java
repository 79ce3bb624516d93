package io.github.ldm4j.checkpoint.safetensors;

import static io.github.ldm4j.checkpoint.safetensors.Bytes.concat;
import static io.github.ldm4j.checkpoint.safetensors.Bytes.length;
import static io.github.ldm4j.checkpoint.safetensors.Bytes.safetensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.TensorEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed input is a CheckpointFormatException that names the file, the tensor and the fault. */
class SafetensorsValidationTest {

  @TempDir Path dir;

  private static final String W = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

  /** A header of one tensor 'w' whose entry body is {@code body}, with {@code data} bytes of data. */
  private static byte[] entry(String body, int data) {
    return safetensors("{\"w\":{" + body + "}}", data);
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        // length field
        arguments("empty file", new byte[0], new String[] {"the file is 0 bytes, shorter than the 8-byte header length"}),
        arguments("7 bytes", new byte[7], new String[] {"the file is 7 bytes"}),
        arguments("length 2^64-1", concat(length(-1), "{}".getBytes(StandardCharsets.UTF_8)),
            new String[] {"header length 18446744073709551615 exceeds the limit of 100000000 bytes"}),
        arguments("length over the cap", concat(length(100_000_001), new byte[16]),
            new String[] {"header length 100000001 exceeds the limit of 100000000 bytes"}),
        arguments("length past the end", concat(length(100), "{}".getBytes(StandardCharsets.UTF_8)),
            new String[] {"header length 100 exceeds the 2 bytes after the length field"}),
        // header text
        arguments("invalid UTF-8", safetensors(new byte[] {'{', (byte) 0xFF, '}'}, new byte[0]),
            new String[] {"the header is not valid UTF-8 (byte 1 of 3)"}),
        arguments("UTF-8 encoded surrogate", safetensors(new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, new byte[0]),
            new String[] {"not valid UTF-8"}),
        arguments("byte order mark", safetensors(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'}, new byte[0]),
            new String[] {"byte order mark"}),
        arguments("empty header", safetensors("", 0), new String[] {"the header is not a JSON object but nothing"}),
        arguments("not JSON", safetensors("{", 0), new String[] {"the header is not valid JSON"}),
        arguments("comment", safetensors("{/**/}", 0), new String[] {"the header is not valid JSON"}),
        arguments("array", safetensors("[]", 0), new String[] {"the header is not a JSON object but an array"}),
        arguments("string", safetensors("\"x\"", 0), new String[] {"the header is not a JSON object but a string"}),
        arguments("two objects", safetensors("{} {}", 0), new String[] {"content after its JSON object: an object"}),
        arguments("NUL padding", safetensors("{}\0\0", 0), new String[] {"the header is not valid JSON"}),
        arguments("garbage after", safetensors("{}x", 0), new String[] {"the header is not valid JSON"}),
        // entries
        arguments("entry not an object", safetensors("{\"w\":1}", 0),
            new String[] {"tensor 'w': the entry is not an object but an integer"}),
        arguments("entry an array", safetensors("{\"w\":[]}", 0), new String[] {"tensor 'w': the entry is not an object but an array"}),
        arguments("missing data_offsets", entry("\"dtype\":\"F32\",\"shape\":[2]", 8),
            new String[] {"tensor 'w': missing field data_offsets"}),
        arguments("empty entry", entry("", 0), new String[] {"tensor 'w': missing fields dtype, shape, data_offsets"}),
        arguments("extra field", entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1", 8),
            new String[] {"tensor 'w': unexpected field 'x': an entry has exactly dtype, shape and data_offsets"}),
        arguments("unknown dtype", entry("\"dtype\":\"F17\",\"shape\":[2],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': unknown dtype 'F17'; known: [F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL]"}),
        arguments("lower-case dtype", entry("\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': unknown dtype 'f32'"}),
        arguments("fp8 dtype", entry("\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]", 2),
            new String[] {"tensor 'w': dtype F8_E4M3 is valid safetensors but not supported by ldm4j; supported: [F64,"}),
        arguments("dtype not a string", entry("\"dtype\":5,\"shape\":[2],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': dtype must be a string, not an integer"}),
        arguments("shape not an array", entry("\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': shape must be an array of non-negative integers, not an integer"}),
        arguments("negative dimension", entry("\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': shape must be an array of non-negative integers, but holds -2"}),
        arguments("fractional dimension", entry("\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': shape must be an array of non-negative integers, but holds a non-integer number 2.0"}),
        arguments("string dimension", entry("\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': shape must be an array of non-negative integers, but holds a string 2"}),
        arguments("nested shape", entry("\"dtype\":\"F32\",\"shape\":[[2]],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': shape must be an array of non-negative integers, but holds an array"}),
        arguments("dimension past 2^63", entry("\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': shape holds 18446744073709551616, larger than any file"}),
        arguments("1500-digit dimension", entry("\"dtype\":\"F32\",\"shape\":[1" + "0".repeat(1500) + "],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': the header is not valid JSON: Number value length (1501) exceeds the maximum allowed"}),
        arguments("three offsets", entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]", 8),
            new String[] {"tensor 'w': data_offsets must be two integers [begin, end], not 3: [0, 8, 8]"}),
        arguments("one offset", entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]", 8),
            new String[] {"tensor 'w': data_offsets must be two integers [begin, end], not 1"}),
        arguments("negative offset", entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]", 8),
            new String[] {"tensor 'w': data_offsets must be an array of non-negative integers, but holds -8"}),
        arguments("offsets not an array", entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":{}", 8),
            new String[] {"tensor 'w': data_offsets must be an array of non-negative integers, not an object"}),
        arguments("begin after end", entry("\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]", 8),
            new String[] {"tensor 'w': data_offsets [8, 0] begin after end"}),
        arguments("end beyond the data", entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", 4),
            new String[] {"tensor 'w': data_offsets [0, 8] end beyond the data section of 4 bytes"}),
        arguments("size mismatch", entry("\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': data_offsets [0, 8] hold 8 bytes but F32[3] needs 12"}),
        arguments("size overflow", entry("\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': F32[4611686018427387904, 4] has more bytes than a file can hold"}),
        // layout
        arguments("same range twice", safetensors("{" + W + ",\"v\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}", 8),
            new String[] {"tensor 'v': data [0, 8) overlaps tensor 'w' [0, 8)"}),
        arguments("overlap", safetensors("{" + W + ",\"v\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
            new String[] {"tensor 'v': data [4, 12) overlaps tensor 'w' [0, 8)"}),
        arguments("empty tensor inside another", safetensors("{" + W + ",\"v\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[4,4]}}", 8),
            new String[] {"tensor 'v': data [4, 4) overlaps tensor 'w' [0, 8)"}),
        arguments("gap", safetensors("{" + W + ",\"v\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[12,16]}}", 16),
            new String[] {"tensor 'v': data [12, 16) leaves 4 bytes unused [8, 12) before it"}),
        arguments("gap at the start", entry("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]", 12),
            new String[] {"tensor 'w': data [4, 12) leaves 4 bytes unused [0, 4) before it"}),
        arguments("trailing bytes", safetensors("{" + W + "}", 9),
            new String[] {"1 byte after the last tensor's data: the data section is 9 bytes, the tensors cover 8"}),
        arguments("data without tensors", safetensors("{}", 3), new String[] {"3 bytes after the last tensor's data"}),
        // duplicates
        arguments("duplicate tensor", safetensors("{" + W + "," + W + "}", 8),
            new String[] {"duplicate key in the header: Duplicate field 'w'"}),
        arguments("duplicate field", entry("\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", 8),
            new String[] {"tensor 'w': duplicate key in the header: Duplicate field 'dtype'"}),
        arguments("duplicate metadata", safetensors("{\"__metadata__\":{},\"__metadata__\":{}}", 0),
            new String[] {"duplicate key in the header: Duplicate field '__metadata__'"}),
        arguments("duplicate metadata key", safetensors("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0),
            new String[] {"duplicate key in the header: Duplicate field 'k'"}),
        // __metadata__
        arguments("metadata a string", safetensors("{\"__metadata__\":\"x\"}", 0),
            new String[] {"__metadata__ must be an object of strings, not a string"}),
        arguments("metadata an array", safetensors("{\"__metadata__\":[]}", 0),
            new String[] {"__metadata__ must be an object of strings, not an array"}),
        arguments("metadata value a number", safetensors("{\"__metadata__\":{\"k\":1}}", 0),
            new String[] {"__metadata__ must be an object of strings, but 'k' is an integer"}),
        arguments("metadata value an object", safetensors("{\"__metadata__\":{\"k\":{}}}", 0),
            new String[] {"__metadata__ must be an object of strings, but 'k' is an object"}),
        arguments("metadata value null", safetensors("{\"__metadata__\":{\"k\":null}}", 0),
            new String[] {"__metadata__ must be an object of strings, but 'k' is null"}),
        // Unicode
        arguments("high surrogate alone in a name", safetensors("{\"\\ud800\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}", 1),
            new String[] {"the header is not valid JSON: Broken surrogate pair"}),
        arguments("low surrogate alone in a name", safetensors("{\"\\udc00\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}", 1),
            new String[] {"the header is not valid JSON: Unexpected low surrogate"}),
        arguments("unpaired surrogate in metadata", safetensors("{\"__metadata__\":{\"k\":\"\\udc00x\"}}", 0),
            new String[] {"__metadata__ value of 'k' has an unpaired surrogate escape"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedFilesAreRefusedWithTheFileTheTensorAndTheFault(String what, byte[] bytes, String[] fragments) {
    Path file = Bytes.write(dir, "bad.safetensors", bytes);
    assertThatThrownBy(() -> SafetensorsFile.open(file).close())
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContainingAll(fragments);
  }

  @Test
  void whiteSpaceAroundTheObjectIsAccepted() throws IOException {
    try (SafetensorsFile f = open(safetensors(" \t\n{" + W + "}\r\n     ", 8))) {
      assertThat(f.entries()).containsOnlyKeys("w");
    }
  }

  @Test
  void anEmptyObjectIsAFileWithoutTensors() throws IOException {
    try (SafetensorsFile f = open(safetensors("{}      ", 0))) {
      assertThat(f.entries()).isEmpty();
      assertThat(f.metadata()).isEmpty();
      assertThat(f.headerLength()).isEqualTo(8);
      assertThat(f.dataSection().byteSize()).isZero();
    }
  }

  @Test
  void nullMetadataIsNoMetadata() throws IOException {
    try (SafetensorsFile f = open(safetensors("{\"__metadata__\":null," + W + "}", 8))) {
      assertThat(f.metadata()).isEmpty();
      assertThat(f.entries()).containsOnlyKeys("w");
    }
  }

  @Test
  void entriesComeInTheOrderOfTheirDataWhateverTheHeaderOrder() throws IOException {
    String header = "{\"c\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]},"
        + "\"b\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[0,0]},"
        + "\"a\":{\"dtype\":\"I16\",\"shape\":[],\"data_offsets\":[0,2]},"
        + "\"e\":{\"dtype\":\"BOOL\",\"shape\":[0,7],\"data_offsets\":[3,3]},"
        + "\"d\":{\"dtype\":\"F64\",\"shape\":[5,0],\"data_offsets\":[0,0]}}";
    try (SafetensorsFile f = open(safetensors(header, 3))) {
      assertThat(f.entries().keySet()).containsExactly("b", "d", "a", "c", "e");
      assertThat(f.entries().get("d")).isEqualTo(new TensorEntry("d", DType.F64, new long[] {5, 0}));
      assertThat(f.data("e").byteSize()).isZero();
      assertThat(f.dataOffset("c")).isEqualTo(2);
    }
  }

  @Test
  void escapedAndNonAsciiNamesAreDecoded() throws IOException {
    String header = "{\"\\u00e4\\ud83d\\ude00\\n\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
        + "\"\u00fc\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
    try (SafetensorsFile f = open(safetensors(header, 2))) {
      assertThat(f.entries()).containsOnlyKeys("\u00e4\uD83D\uDE00\n", "\u00fc");
    }
  }

  @Test
  void stringsLongerThanJacksonsDefaultLimitAreAccepted() throws IOException {
    String big = "x".repeat(25_000_000); // Jackson refuses strings over 20,000,000 characters unless told
    Path file = dir.resolve("big.safetensors");
    new SafetensorsWriter().metadata("ss_tag_frequency", big).metadata(big, "key").write(file);
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertThat(f.metadata().get("ss_tag_frequency")).hasSize(25_000_000);
      assertThat(f.metadata().get(big)).isEqualTo("key");
    }
  }

  @Test
  void theHeaderCapIsTheReferenceImplementations() throws IOException {
    // exactly at the cap is a length the reader accepts (and then finds the file too short for)
    Path file = Bytes.write(dir, "cap.safetensors", concat(length(100_000_000), new byte[8]));
    assertThatThrownBy(() -> SafetensorsFile.open(file))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("header length 100000000 exceeds the 8 bytes after the length field");
  }

  private SafetensorsFile open(byte[] bytes) throws IOException {
    return SafetensorsFile.open(Bytes.write(dir, "ok.safetensors", bytes));
  }
}
