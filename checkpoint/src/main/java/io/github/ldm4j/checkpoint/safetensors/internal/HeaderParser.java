package io.github.ldm4j.checkpoint.safetensors.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and validates the JSON header of a safetensors file against the size of its data section.
 * The rules, and where they differ from the reference implementation, are listed on {@link
 * io.github.ldm4j.checkpoint.safetensors.SafetensorsFile}; every violation is a {@link
 * CheckpointFormatException} naming the file and, where there is one, the tensor.
 *
 * <p>A streaming parse: nothing of the header is kept but the entries and the metadata, so a
 * hostile header cannot build a large tree; the parse descends at most three levels.
 */
public final class HeaderParser {

  private static final String METADATA_KEY = "__metadata__";

  /** Dtypes the safetensors format defines that ldm4j does not read (for a clearer message). */
  private static final Set<String> OTHER_SAFETENSORS_DTYPES = Set.of(
      "U16", "U32", "U64", "C64", "F4", "F6_E2M3", "F6_E3M2",
      "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ");

  private static final JsonFactory JSON = JsonFactory.builder()
      // Duplicate keys would let two readers see different tensors in one file: refused.
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // Names and metadata strings may be as long as the header itself (Jackson caps them lower by default).
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxStringLength((int) SafetensorsFile.MAX_HEADER_BYTES)
          .maxNameLength((int) SafetensorsFile.MAX_HEADER_BYTES)
          .build())
      .build();

  /** One tensor of the header: its entry and its byte range {@code [begin, end)} in the data section. */
  public record Slot(TensorEntry entry, long begin, long end) {}

  /**
   * The validated header.
   *
   * @param slots the tensors by name, in the order of their data (header order among equal offsets)
   * @param metadata {@code __metadata__}, in header order; empty when absent or null
   */
  public record Header(Map<String, Slot> slots, Map<String, String> metadata) {}

  private final Path file;
  private final long dataSize;
  private String tensor;

  private HeaderParser(Path file, long dataSize) {
    this.file = file;
    this.dataSize = dataSize;
  }

  /**
   * Parses {@code headerBytes} (the N bytes after the length field) of {@code file}, whose data
   * section (everything after the header) is {@code dataSize} bytes.
   */
  public static Header parse(Path file, byte[] headerBytes, long dataSize) throws CheckpointFormatException {
    return new HeaderParser(file, dataSize).parse(headerBytes);
  }

  private Header parse(byte[] headerBytes) throws CheckpointFormatException {
    String json = decodeUtf8(headerBytes);
    List<Slot> slots = new ArrayList<>();
    Map<String, String> metadata;
    try (JsonParser p = JSON.createParser(json)) {
      try {
        metadata = readRoot(p, slots);
      } catch (JsonProcessingException e) {
        throw jsonFailure(e, p);
      }
    } catch (CheckpointFormatException e) {
      throw e;
    } catch (IOException e) { // not expected from a String source
      throw fail("the header is not valid JSON: " + e.getMessage(), e);
    }
    tensor = null;
    return new Header(layOut(slots), metadata);
  }

  /** Reads the root object into {@code slots}; returns the metadata. */
  private Map<String, String> readRoot(JsonParser p, List<Slot> slots) throws IOException {
    Map<String, String> metadata = Map.of();
    JsonToken t = p.nextToken();
    if (t != JsonToken.START_OBJECT) {
      throw fail("the header is not a JSON object but " + describe(t));
    }
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      p.nextToken();
      if (key.equals(METADATA_KEY)) {
        metadata = readMetadata(p);
      } else {
        tensor = key;
        slots.add(readEntry(p));
        tensor = null;
      }
    }
    // The loop ends only at the root's END_OBJECT; anything after it but white space is refused.
    t = p.nextToken();
    if (t != null) {
      throw fail("the header has content after its JSON object: " + describe(t));
    }
    return metadata;
  }

  private CheckpointFormatException jsonFailure(JsonProcessingException e, JsonParser p) {
    // Constraint violations (a 1,001-digit number) carry no location: the parser's is used then.
    JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
    String message = Objects.toString(e.getOriginalMessage(), e.getClass().getSimpleName());
    String what = message.startsWith("Duplicate") ? "duplicate key in the header: " : "the header is not valid JSON: ";
    return fail(what + message + " (at character " + at.getCharOffset() + ")", e);
  }

  // ---------------------------------------------------------------- UTF-8

  private String decodeUtf8(byte[] bytes) throws CheckpointFormatException {
    if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
      throw fail("the header starts with a UTF-8 byte order mark, which JSON does not allow");
    }
    // Validate in one pass through a small buffer, then decode: no second copy of a large header.
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(4096);
    CoderResult r;
    do {
      out.clear();
      r = decoder.decode(in, out, true);
    } while (r.isOverflow());
    if (r.isError()) {
      throw fail("the header is not valid UTF-8 (byte " + in.position() + " of " + bytes.length + ")");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Refuses strings with unpaired surrogates ({@code \ud800} escapes): they have no UTF-8 form.
   * Jackson refuses them in names (tensor names, metadata keys) itself, not in string values.
   */
  private void requireWellFormed(String s, String what) throws CheckpointFormatException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw fail(what + " has an unpaired surrogate escape (\\u" + Integer.toHexString(c) + "), which is not Unicode");
      }
    }
  }

  // ---------------------------------------------------------------- __metadata__

  private Map<String, String> readMetadata(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return Map.of(); // as the reference implementation: null is no metadata
    }
    if (t != JsonToken.START_OBJECT) {
      throw fail(METADATA_KEY + " must be an object of strings, not " + describe(t));
    }
    Map<String, String> out = new LinkedHashMap<>();
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      t = p.nextToken();
      if (t != JsonToken.VALUE_STRING) {
        throw fail(METADATA_KEY + " must be an object of strings, but '" + key + "' is " + describe(t));
      }
      String value = p.getText();
      requireWellFormed(value, METADATA_KEY + " value of '" + key + "'");
      out.put(key, value);
    }
    return Collections.unmodifiableMap(out);
  }

  // ---------------------------------------------------------------- tensor entries

  private Slot readEntry(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_OBJECT) {
      throw fail("the entry is not an object but " + describe(t));
    }
    String dtypeName = null;
    long[] shape = null;
    long[] offsets = null;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      t = p.nextToken();
      switch (field) {
        case "dtype" -> {
          if (t != JsonToken.VALUE_STRING) {
            throw fail("dtype must be a string, not " + describe(t));
          }
          dtypeName = p.getText();
        }
        case "shape" -> shape = readNaturals(p, "shape");
        case "data_offsets" -> offsets = readNaturals(p, "data_offsets");
        default -> throw fail("unexpected field '" + field + "': an entry has exactly dtype, shape and data_offsets");
      }
    }
    if (dtypeName == null || shape == null || offsets == null) {
      List<String> missing = new ArrayList<>();
      if (dtypeName == null) {
        missing.add("dtype");
      }
      if (shape == null) {
        missing.add("shape");
      }
      if (offsets == null) {
        missing.add("data_offsets");
      }
      throw fail("missing field" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing));
    }
    DType dtype = dtype(dtypeName);
    if (offsets.length != 2) {
      throw fail("data_offsets must be two integers [begin, end], not " + offsets.length + ": " + Arrays.toString(offsets));
    }
    long begin = offsets[0];
    long end = offsets[1];
    if (begin > end) {
      throw fail("data_offsets [" + begin + ", " + end + "] begin after end");
    }
    if (end > dataSize) {
      throw fail("data_offsets [" + begin + ", " + end + "] end beyond the data section of " + dataSize
          + " bytes (truncated file?)");
    }
    long bytes = byteSize(dtype, shape);
    if (end - begin != bytes) {
      throw fail("data_offsets [" + begin + ", " + end + "] hold " + (end - begin) + " bytes but " + dtype
          + Arrays.toString(shape) + " needs " + bytes);
    }
    return new Slot(new TensorEntry(tensor, dtype, shape), begin, end);
  }

  /** An array of integers in [0, 2^63): shape dimensions and offsets. */
  private long[] readNaturals(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_ARRAY) {
      throw fail(field + " must be an array of non-negative integers, not " + describe(t));
    }
    long[] values = new long[4];
    int n = 0;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        throw fail(field + " must be an array of non-negative integers, but holds " + describe(t) + " " + p.getText());
      }
      JsonParser.NumberType type = p.getNumberType();
      if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
        throw fail(field + " holds " + p.getText() + ", larger than any file");
      }
      long v = p.getLongValue();
      if (v < 0) {
        throw fail(field + " must be an array of non-negative integers, but holds " + v);
      }
      if (n == values.length) {
        values = Arrays.copyOf(values, n * 2);
      }
      values[n++] = v;
    }
    return Arrays.copyOf(values, n);
  }

  private DType dtype(String name) throws CheckpointFormatException {
    for (DType d : DType.values()) {
      if (d.name().equals(name)) { // exact: the format's names are upper case, as the reference insists
        return d;
      }
    }
    String known = Arrays.toString(DType.values());
    if (OTHER_SAFETENSORS_DTYPES.contains(name)) {
      throw fail("dtype " + name + " is valid safetensors but not supported by ldm4j; supported: " + known);
    }
    throw fail("unknown dtype '" + name + "'; known: " + known);
  }

  private long byteSize(DType dtype, long[] shape) throws CheckpointFormatException {
    try {
      long elements = 1;
      for (long d : shape) {
        elements = Math.multiplyExact(elements, d);
      }
      return Math.multiplyExact(elements, dtype.bytes());
    } catch (ArithmeticException e) {
      throw fail(dtype + Arrays.toString(shape) + " has more bytes than a file can hold", e);
    }
  }

  // ---------------------------------------------------------------- layout

  /**
   * The tensors must tile the data section: sorted by offsets, each begins where the previous
   * ended, from 0 to the end of the file (no overlap, no gap, no trailing bytes).
   */
  private Map<String, Slot> layOut(List<Slot> slots) throws CheckpointFormatException {
    List<Slot> sorted = new ArrayList<>(slots);
    sorted.sort(Comparator.comparingLong(Slot::begin).thenComparingLong(Slot::end)); // stable: header order on ties
    Map<String, Slot> byName = new LinkedHashMap<>();
    long covered = 0;
    Slot previous = null;
    for (Slot s : sorted) {
      String name = s.entry().name();
      if (s.begin() < covered) {
        // previous ends at `covered` and begins at or before s: the two ranges share bytes
        throw new CheckpointFormatException(file, "tensor '" + name + "': data " + range(s) + " overlaps tensor '"
            + previous.entry().name() + "' " + range(previous));
      }
      if (s.begin() > covered) {
        throw new CheckpointFormatException(file, "tensor '" + name + "': data " + range(s) + " leaves "
            + bytes(s.begin() - covered) + " unused [" + covered + ", " + s.begin()
            + ") before it; safetensors data must be contiguous");
      }
      covered = s.end();
      previous = s;
      byName.put(name, s);
    }
    if (covered != dataSize) {
      throw new CheckpointFormatException(file, bytes(dataSize - covered) + " after the last tensor's data: the data"
          + " section is " + dataSize + " bytes, the tensors cover " + covered);
    }
    return Collections.unmodifiableMap(byName);
  }

  private static String bytes(long n) {
    return n == 1 ? "1 byte" : n + " bytes";
  }

  private static String range(Slot s) {
    return "[" + s.begin() + ", " + s.end() + ")";
  }

  // ---------------------------------------------------------------- messages

  private static String describe(JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a non-integer number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
    };
  }

  private CheckpointFormatException fail(String message) {
    return new CheckpointFormatException(file, where() + message);
  }

  private CheckpointFormatException fail(String message, Throwable cause) {
    return new CheckpointFormatException(file, where() + message, cause);
  }

  private String where() {
    return tensor == null ? "" : "tensor '" + tensor + "': ";
  }
}
