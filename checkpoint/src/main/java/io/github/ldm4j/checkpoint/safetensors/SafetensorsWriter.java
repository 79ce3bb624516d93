package io.github.ldm4j.checkpoint.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a safetensors file: collect tensors and metadata, then {@link #write} once.
 *
 * <pre>{@code
 * new SafetensorsWriter()
 *     .metadata("format", "pt")
 *     .add("model.diffusion_model.out.2.weight", tensor)               // float32
 *     .add("position_ids", DType.I64, new long[] {1, 77}, littleEndianBytes)
 *     .write(path);
 * }</pre>
 *
 * <p>The layout is the reference implementation's, so that its output and this writer's are the
 * same bytes for the same tensors and (at most one) metadata entry: tensors ordered by dtype width,
 * widest first (I64, F64, F32, I32, BF16, F16, I16, I8, U8, BOOL), then by name; {@code
 * __metadata__} first in the header, in insertion order; compact JSON padded with spaces to a
 * multiple of 8 bytes. The file is written beside the target and moved over it, so a file that is
 * open (mapped) elsewhere is replaced, not truncated under its reader.
 *
 * <p>Data segments are referenced, not copied, until {@link #write}: they must stay valid until
 * then. Not thread-safe.
 */
public final class SafetensorsWriter {

  private static final JsonFactory JSON = new JsonFactory();
  private static final long CHUNK = 1L << 30;
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Pending(TensorEntry entry, MemorySegment data) {}

  private final Map<String, String> metadata = new LinkedHashMap<>();
  private final Map<String, Pending> tensors = new LinkedHashMap<>();

  /** Adds a {@code __metadata__} entry (replacing one of the same key). */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** Adds every entry of {@code entries} to the metadata. */
  public SafetensorsWriter metadata(Map<String, String> entries) {
    entries.forEach(this::metadata);
    return this;
  }

  /**
   * Adds a tensor from its raw little-endian bytes (as {@link
   * io.github.ldm4j.checkpoint.StateDict#data} returns them).
   *
   * @throws IllegalArgumentException for a name already added, the name {@code __metadata__}, or a
   *     size other than shape × dtype size
   */
  public SafetensorsWriter add(String name, DType dtype, long[] shape, MemorySegment littleEndianData) {
    TensorEntry entry = new TensorEntry(name, dtype, shape);
    Objects.requireNonNull(littleEndianData, "littleEndianData");
    if (name.equals("__metadata__")) {
      throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
    }
    if (tensors.containsKey(name)) {
      throw new IllegalArgumentException("tensor '" + name + "' was already added");
    }
    if (littleEndianData.byteSize() != entry.byteSize()) {
      throw new IllegalArgumentException("tensor '" + name + "' " + dtype + Arrays.toString(shape) + " needs "
          + entry.byteSize() + " bytes, got " + littleEndianData.byteSize());
    }
    tensors.put(name, new Pending(entry, littleEndianData));
    return this;
  }

  /** Adds a float32 tensor. */
  public SafetensorsWriter add(String name, Tensor tensor) {
    MemorySegment data = tensor.segment();
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      MemorySegment le = Arena.ofAuto().allocate(data.byteSize());
      MemorySegment.copy(data, ValueLayout.JAVA_FLOAT_UNALIGNED, 0,
          le, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, tensor.size());
      data = le;
    }
    return add(name, DType.F32, tensor.shape().toLongArray(), data);
  }

  /**
   * Writes the file, replacing {@code target}.
   *
   * @throws IOException when writing fails (the target is then left as it was)
   * @throws IllegalStateException when the header would exceed the 100,000,000-byte limit of
   *     readers
   */
  public void write(Path target) throws IOException {
    List<Pending> ordered = new ArrayList<>(tensors.values());
    ordered.sort(Comparator.comparingInt((Pending p) -> -widthRank(p.entry().dtype()))
        .thenComparing(p -> p.entry().name(), SafetensorsWriter::compareUtf8));
    byte[] header = header(ordered);
    Path absolute = target.toAbsolutePath();
    // Not Files.createTempFile: its owner-only permissions would stay on the written file.
    Path temp = absolute.resolveSibling("." + absolute.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(out, ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
        writeFully(out, ByteBuffer.wrap(header));
        for (Pending p : ordered) {
          MemorySegment data = p.data();
          for (long at = 0; at < data.byteSize(); at += CHUNK) {
            writeFully(out, data.asSlice(at, Math.min(CHUNK, data.byteSize() - at)).asByteBuffer());
          }
        }
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private byte[] header(List<Pending> ordered) throws IOException {
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(json)) {
      g.writeStartObject();
      if (!metadata.isEmpty()) {
        g.writeObjectFieldStart("__metadata__");
        for (Map.Entry<String, String> m : metadata.entrySet()) {
          g.writeStringField(m.getKey(), m.getValue());
        }
        g.writeEndObject();
      }
      long offset = 0;
      for (Pending p : ordered) {
        TensorEntry e = p.entry();
        g.writeObjectFieldStart(e.name());
        g.writeStringField("dtype", e.dtype().name());
        g.writeArrayFieldStart("shape");
        for (long d : e.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        offset += e.byteSize();
        g.writeNumber(offset);
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    int length = json.size();
    int padded = (length + Long.BYTES - 1) / Long.BYTES * Long.BYTES;
    if (padded > SafetensorsFile.MAX_HEADER_BYTES) {
      throw new IllegalStateException("the header would be " + padded + " bytes, more than readers accept ("
          + SafetensorsFile.MAX_HEADER_BYTES + ")");
    }
    byte[] header = Arrays.copyOf(json.toByteArray(), padded);
    Arrays.fill(header, length, padded, (byte) ' ');
    return header;
  }

  /** The reference implementation's dtype order (by alignment); written widest first. */
  private static int widthRank(DType d) {
    return switch (d) {
      case BOOL -> 0;
      case U8 -> 1;
      case I8 -> 2;
      case I16 -> 3;
      case F16 -> 4;
      case BF16 -> 5;
      case I32 -> 6;
      case F32 -> 7;
      case F64 -> 8;
      case I64 -> 9;
    };
  }

  /** Names compare as their UTF-8 bytes (code point order), as the reference sorts them. */
  private static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }
}
