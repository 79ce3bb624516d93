package io.github.ldm4j.checkpoint.pickle.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The directory of a zip archive read straight from its bytes (the mapped file), so that each
 * entry's data can be used in place: ZIP64 included (checkpoints are often over 4 GiB), multi-disk
 * and encrypted archives refused. Every offset and size is checked against the file: local headers
 * and data lie before the central directory, inside the file, and no two entries overlap.
 */
public final class ZipArchive {

  private static final int LOCAL = 0x04034b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int END = 0x06054b50;
  private static final int END64 = 0x06064b50;
  private static final int END64_LOCATOR = 0x07064b50;
  private static final long U32_MAX = 0xFFFFFFFFL;
  /** Zip method numbers. */
  public static final int STORED = 0;
  /** Zip method numbers. */
  public static final int DEFLATED = 8;

  /**
   * One entry.
   *
   * @param name its path in the archive
   * @param method {@link #STORED}, {@link #DEFLATED}, …
   * @param crc the CRC-32 of the uncompressed data
   * @param compressedSize the bytes of data in the file
   * @param size the uncompressed size
   * @param headerOffset where its local header starts
   * @param dataOffset where its data starts in the file
   */
  public record Entry(String name, int method, long crc, long compressedSize, long size, long headerOffset, long dataOffset) {}

  private final MemorySegment file;
  private final Map<String, Entry> entries;

  private ZipArchive(MemorySegment file, Map<String, Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  /** Whether {@code file} starts like a zip archive (a local file header). */
  public static boolean looksLikeZip(MemorySegment file) {
    return file.byteSize() >= 4 && i32(file, 0) == LOCAL;
  }

  /**
   * Reads the directory of the archive {@code file}.
   *
   * @throws BadFormatException when it is not a readable, consistent zip archive
   */
  public static ZipArchive read(MemorySegment file) throws BadFormatException {
    long size = file.byteSize();
    long eocd = findEnd(file);
    if (u16(file, eocd + 4) != 0 || u16(file, eocd + 6) != 0) {
      throw new BadFormatException("multi-disk zip archives are not supported");
    }
    long count = u16(file, eocd + 10);
    long cdSize = u32(file, eocd + 12);
    long cdOffset = u32(file, eocd + 16);
    long cdLimit = eocd;
    if (eocd >= 20 && i32(file, eocd - 20) == END64_LOCATOR) {
      long locator = eocd - 20;
      long end64 = i64(file, locator + 8);
      if (end64 < 0 || end64 > locator - 56) {
        throw new BadFormatException("ZIP64 end record offset " + end64 + " outside the file");
      }
      if (i32(file, end64) != END64) {
        throw new BadFormatException("no ZIP64 end record where its locator points");
      }
      if (u32(file, end64 + 16) != 0 || u32(file, end64 + 20) != 0) {
        throw new BadFormatException("multi-disk zip archives are not supported");
      }
      count = i64(file, end64 + 32);
      cdSize = i64(file, end64 + 40);
      cdOffset = i64(file, end64 + 48);
      cdLimit = end64;
    } else if (count == 0xFFFF || cdSize == U32_MAX || cdOffset == U32_MAX) {
      throw new BadFormatException("ZIP64 values without a ZIP64 end record");
    }
    if (cdOffset < 0 || cdSize < 0 || cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
      throw new BadFormatException("central directory (" + cdSize + " bytes at " + cdOffset + ") lies outside the "
          + size + "-byte file: truncated?");
    }
    if (count < 0 || count > cdSize / 46) {
      throw new BadFormatException("central directory of " + cdSize + " bytes cannot hold " + count + " entries");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    long p = cdOffset;
    long cdEnd = cdOffset + cdSize;
    for (long i = 0; i < count; i++) {
      Entry e = central(file, p, cdEnd, cdOffset);
      if (entries.putIfAbsent(e.name(), e) != null) {
        throw new BadFormatException("duplicate zip entry '" + e.name() + "'");
      }
      p += 46 + u16(file, p + 28) + u16(file, p + 30) + u16(file, p + 32);
    }
    if (p != cdEnd) {
      throw new BadFormatException("central directory holds " + (cdEnd - p) + " bytes beyond its " + count + " entries");
    }
    checkOverlaps(entries.values());
    return new ZipArchive(file, Collections.unmodifiableMap(entries));
  }

  /** Every entry by name, in central-directory order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The data of a stored entry, in place. */
  public MemorySegment stored(Entry e) throws BadFormatException {
    if (e.method() != STORED) {
      throw new BadFormatException("entry '" + e.name() + "' is compressed (zip method " + e.method() + ")");
    }
    return file.asSlice(e.dataOffset(), e.compressedSize());
  }

  /**
   * The data of an entry, inflated into memory if deflated, its CRC checked: for the small entries
   * ({@code data.pkl}, {@code version}) that a re-zipped archive may have compressed.
   *
   * @param maxSize the largest uncompressed size accepted
   */
  public MemorySegment read(Entry e, long maxSize) throws BadFormatException {
    if (e.size() > maxSize) {
      throw new BadFormatException("entry '" + e.name() + "' of " + e.size() + " bytes exceeds the limit of " + maxSize);
    }
    byte[] bytes;
    if (e.method() == STORED) {
      if (e.size() != e.compressedSize()) {
        throw new BadFormatException("stored entry '" + e.name() + "' has different sizes in its directory record");
      }
      bytes = file.asSlice(e.dataOffset(), e.size()).toArray(ValueLayout.JAVA_BYTE);
    } else if (e.method() == DEFLATED) {
      bytes = inflate(e);
    } else {
      throw new BadFormatException("entry '" + e.name() + "' uses unsupported zip method " + e.method());
    }
    CRC32 crc = new CRC32();
    crc.update(bytes);
    if (crc.getValue() != e.crc()) {
      throw new BadFormatException("entry '" + e.name() + "' fails its CRC-32 check: corrupt file");
    }
    return MemorySegment.ofArray(bytes);
  }

  private byte[] inflate(Entry e) throws BadFormatException {
    if (e.compressedSize() > Integer.MAX_VALUE - 8) {
      throw new BadFormatException("deflated entry '" + e.name() + "' of " + e.compressedSize() + " bytes is too large");
    }
    byte[] in = file.asSlice(e.dataOffset(), e.compressedSize()).toArray(ValueLayout.JAVA_BYTE);
    byte[] out = new byte[(int) e.size()];
    Inflater inflater = new Inflater(true);
    try {
      inflater.setInput(in);
      int n = 0;
      while (n < out.length && !inflater.finished()) {
        int got = inflater.inflate(out, n, out.length - n);
        if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += got;
      }
      if (n != out.length) {
        throw new BadFormatException("deflated entry '" + e.name() + "' inflates to fewer bytes than its declared " + e.size());
      }
      return out;
    } catch (DataFormatException ex) {
      throw new BadFormatException("deflated entry '" + e.name() + "' is corrupt: " + ex.getMessage());
    } finally {
      inflater.end();
    }
  }

  private static long findEnd(MemorySegment file) throws BadFormatException {
    long size = file.byteSize();
    if (size < 22) {
      throw new BadFormatException("file of " + size + " bytes is too short for a zip archive: truncated?");
    }
    long stop = Math.max(0, size - 22 - 0xFFFF);
    for (long p = size - 22; p >= stop; p--) {
      if (i32(file, p) == END && p + 22 + u16(file, p + 20) == size) {
        return p;
      }
    }
    throw new BadFormatException("no zip end-of-central-directory record: the file is truncated or not a zip archive");
  }

  private static Entry central(MemorySegment file, long p, long cdEnd, long cdOffset) throws BadFormatException {
    if (cdEnd - p < 46 || i32(file, p) != CENTRAL) {
      throw new BadFormatException("bad central directory record at " + p);
    }
    int flags = u16(file, p + 8);
    int method = u16(file, p + 10);
    long crc = u32(file, p + 16);
    long compressed = u32(file, p + 20);
    long size = u32(file, p + 24);
    int nameLen = u16(file, p + 28);
    int extraLen = u16(file, p + 30);
    int commentLen = u16(file, p + 32);
    long header = u32(file, p + 42);
    if (46L + nameLen + extraLen + commentLen > cdEnd - p) {
      throw new BadFormatException("central directory record at " + p + " runs past the directory");
    }
    String name = new String(file.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    if ((flags & 1) != 0) {
      throw new BadFormatException("entry '" + name + "' is encrypted");
    }
    // ZIP64 extended information: the 64-bit values of the fields that read 0xFFFFFFFF, in this order.
    long x = p + 46 + nameLen;
    long xEnd = x + extraLen;
    while (xEnd - x >= 4) {
      int id = u16(file, x);
      int len = u16(file, x + 2);
      if (len > xEnd - x - 4) {
        throw new BadFormatException("extra field of entry '" + name + "' runs past its record");
      }
      if (id == 0x0001) {
        long f = x + 4;
        long fEnd = f + len;
        if (size == U32_MAX) {
          size = zip64Field(file, f, fEnd, name);
          f += 8;
        }
        if (compressed == U32_MAX) {
          compressed = zip64Field(file, f, fEnd, name);
          f += 8;
        }
        if (header == U32_MAX) {
          header = zip64Field(file, f, fEnd, name);
        }
      }
      x += 4 + len;
    }
    if (size < 0 || compressed < 0 || header < 0 || header > cdOffset - 30) {
      throw new BadFormatException("entry '" + name + "': local header at " + header + " lies outside the data area");
    }
    if (i32(file, header) != LOCAL) {
      throw new BadFormatException("entry '" + name + "': no local header at " + header);
    }
    int localNameLen = u16(file, header + 26);
    int localExtraLen = u16(file, header + 28);
    long data = header + 30 + localNameLen + localExtraLen;
    if (data > cdOffset || compressed > cdOffset - data) {
      throw new BadFormatException("entry '" + name + "': " + compressed + " bytes of data at " + data
          + " run past the data area (" + cdOffset + " bytes): truncated?");
    }
    if (localNameLen != nameLen || file.asSlice(header + 30, nameLen).mismatch(file.asSlice(p + 46, nameLen)) != -1) {
      throw new BadFormatException("entry '" + name + "': local header names a different file");
    }
    return new Entry(name, method, crc, compressed, size, header, data);
  }

  private static long zip64Field(MemorySegment file, long f, long fEnd, String name) throws BadFormatException {
    if (fEnd - f < 8) {
      throw new BadFormatException("ZIP64 extra field of entry '" + name + "' is too short");
    }
    long v = i64(file, f);
    if (v < 0) {
      throw new BadFormatException("ZIP64 value of entry '" + name + "' exceeds 2^63");
    }
    return v;
  }

  private static void checkOverlaps(Iterable<Entry> all) throws BadFormatException {
    List<Entry> sorted = new ArrayList<>();
    all.forEach(sorted::add);
    sorted.sort(Comparator.comparingLong(Entry::headerOffset));
    Entry previous = null;
    for (Entry e : sorted) {
      if (previous != null && e.headerOffset() < previous.dataOffset() + previous.compressedSize()) {
        throw new BadFormatException("zip entries '" + previous.name() + "' and '" + e.name() + "' overlap");
      }
      previous = e;
    }
  }

  private static int u16(MemorySegment s, long p) {
    return Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), p));
  }

  private static int i32(MemorySegment s, long p) {
    return s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), p);
  }

  private static long u32(MemorySegment s, long p) {
    return Integer.toUnsignedLong(i32(s, p));
  }

  private static long i64(MemorySegment s, long p) {
    return s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), p);
  }
}
