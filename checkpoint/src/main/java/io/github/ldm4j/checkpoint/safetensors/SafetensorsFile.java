package io.github.ldm4j.checkpoint.safetensors;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.FloatConversion;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.checkpoint.safetensors.internal.HeaderParser;
import io.github.ldm4j.checkpoint.safetensors.internal.HeaderParser.Header;
import io.github.ldm4j.checkpoint.safetensors.internal.HeaderParser.Slot;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A safetensors file, memory-mapped and validated: the format of Hugging Face's {@code
 * safetensors}, in which most Stable Diffusion checkpoints are shared.
 *
 * <p><b>Layout.</b> An unsigned little-endian 64-bit length N; N bytes of UTF-8 JSON, an object
 * mapping each tensor name to {@code {"dtype": "F16", "shape": [..], "data_offsets": [begin,
 * end]}} (offsets relative to the first byte after the header), plus an optional {@code
 * "__metadata__"} object of strings; then the tensors' raw little-endian bytes.
 *
 * <p><b>Validation.</b> {@link #open} checks the whole header against the file before anything is
 * read, and refuses with a {@link CheckpointFormatException} naming the file (and the tensor, where
 * there is one) a file that is shorter than 8 bytes; whose header length exceeds {@value
 * #MAX_HEADER_BYTES} bytes or the bytes after the length field; whose header is not
 * UTF-8 (a byte order mark included), not JSON, not one JSON object (trailing content after it
 * included), or holds a duplicate key at any level; whose {@code __metadata__} is not an object of
 * strings; an entry that is not an object, lacks a field or has another one, names a dtype other
 * than {@link io.github.ldm4j.checkpoint.DType}'s (exact upper-case names), has a shape or offsets
 * that are not arrays of non-negative 64-bit integers, offsets that are not two or begin after they
 * end or end beyond the data section, or whose byte count differs from shape × dtype size; and data
 * ranges that overlap, leave a gap, or do not cover the data section to the end of the file.
 *
 * <p><b>Choices, against the reference implementation</b> (the Rust {@code safetensors} crate,
 * 0.8): like it, the header is capped at 100,000,000 bytes; it may be padded with JSON white space
 * before and after the object (writers pad to 8 bytes); the data ranges, sorted by offsets, must
 * tile the data section exactly: gaps, overlaps and trailing bytes after the last tensor are
 * refused (the reference rejects them too: polyglot files that hide content in the slack cannot
 * pass); zero-element tensors and 0-d tensors ({@code "shape": []}) are valid, several empty
 * tensors may share an offset, and {@code "__metadata__": null} means no metadata. Stricter than
 * the reference: duplicate keys (the reference keeps the last silently, so two readers could see
 * different tensors) and fields other than the three of an entry (the reference ignores them) are
 * refused; dtype names the format defines but ldm4j does not read (U16, U32, U64, C64, F8_*, F4,
 * F6_*) are refused with a message saying so. Strings with unpaired surrogate escapes are refused,
 * as by the reference. Alignment of the data is not required: every access is unaligned-safe.
 *
 * <p><b>Memory.</b> The file is mapped read-only in a shared {@link Arena}: {@link #data} slices
 * the mapping without copying, and {@link #close} unmaps it deterministically. The file must not
 * be truncated while open (as with any mapping, reading a vanished page faults; the JVM reports it
 * as an {@link InternalError}). {@link #toFloat} converts into new off-heap memory that outlives
 * the file.
 *
 * <p>Thread-safe: any number of threads may read; {@link #close} while others read makes their
 * accesses fail with {@link IllegalStateException}.
 */
public final class SafetensorsFile implements StateDict {

  /** The largest header accepted, in bytes: the reference implementation's limit. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** Bytes of the length field that starts the file. */
  private static final int LENGTH_BYTES = Long.BYTES;

  private final Path file;
  private final Arena arena;
  private final MemorySegment dataSection;
  private final long headerLength;
  private final Map<String, Slot> slots;
  private final Map<String, TensorEntry> entries;
  private final Map<String, String> metadata;
  private final AtomicBoolean closed = new AtomicBoolean();

  private SafetensorsFile(Path file, Arena arena, MemorySegment dataSection, long headerLength, Header header) {
    this.file = file;
    this.arena = arena;
    this.dataSection = dataSection;
    this.headerLength = headerLength;
    this.slots = header.slots();
    Map<String, TensorEntry> e = new LinkedHashMap<>();
    slots.forEach((name, slot) -> e.put(name, slot.entry()));
    this.entries = Collections.unmodifiableMap(e);
    this.metadata = header.metadata();
  }

  /**
   * Maps and validates {@code file}.
   *
   * @throws CheckpointFormatException when the file is not a valid safetensors file (see the class
   *     description); the message names the file and, where there is one, the tensor
   * @throws IOException when the file cannot be read
   */
  public static SafetensorsFile open(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < LENGTH_BYTES) {
        throw new CheckpointFormatException(file, "the file is " + size
            + " bytes, shorter than the 8-byte header length that starts a safetensors file");
      }
      Arena arena = Arena.ofShared();
      try {
        MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        long n = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
          throw new CheckpointFormatException(file, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
              + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
        }
        if (n > size - LENGTH_BYTES) {
          throw new CheckpointFormatException(file, "header length " + n + " exceeds the " + (size - LENGTH_BYTES)
              + " bytes after the length field (truncated file?)");
        }
        byte[] headerBytes = mapping.asSlice(LENGTH_BYTES, n).toArray(ValueLayout.JAVA_BYTE);
        long dataStart = LENGTH_BYTES + n;
        Header header = HeaderParser.parse(file, headerBytes, size - dataStart);
        MemorySegment data = mapping.asSlice(dataStart).asReadOnly();
        return new SafetensorsFile(file, arena, data, n, header);
      } catch (IOException | RuntimeException | Error e) {
        arena.close();
        throw e;
      }
    }
  }

  @Override
  public Path file() {
    return file;
  }

  /** Every tensor, by name, in the order of their data in the file. */
  @Override
  public Map<String, TensorEntry> entries() {
    return entries;
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * The length N of the JSON header: the data section starts at byte {@code 8 + N} of the file.
   */
  public long headerLength() {
    return headerLength;
  }

  /**
   * The whole data section (everything after the header), read-only, a slice of the mapping.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public MemorySegment dataSection() {
    requireOpen();
    return dataSection;
  }

  /**
   * The offset of tensor {@code name}'s bytes in the data section (its {@code data_offsets[0]}).
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public long dataOffset(String name) {
    return slot(name).begin();
  }

  @Override
  public MemorySegment data(String name) {
    Slot s = slot(name);
    requireOpen();
    return dataSection.asSlice(s.begin(), s.end() - s.begin());
  }

  @Override
  public Tensor toFloat(String name) {
    Slot s = slot(name);
    requireOpen();
    return FloatConversion.toFloat(s.entry(), dataSection.asSlice(s.begin(), s.end() - s.begin()));
  }

  /**
   * Unmaps the file; idempotent. Segments from {@link #data} fail with {@link
   * IllegalStateException} afterwards.
   *
   * @throws IllegalStateException when another thread is inside an operation that holds the mapping
   *     (a native call given one of its segments); the file then stays open
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        arena.close();
      } catch (IllegalStateException e) {
        closed.set(false);
        throw e;
      }
    }
  }

  @Override
  public String toString() {
    return "SafetensorsFile[" + file + ", " + entries.size() + " tensors" + (closed.get() ? ", closed]" : "]");
  }

  private Slot slot(String name) {
    Slot s = slots.get(name);
    if (s == null) {
      throw new IllegalArgumentException(file + ": no tensor named '" + name + "' (" + slots.size() + " tensors)");
    }
    return s;
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException(file + " is closed");
    }
  }
}
