package io.github.ldm4j.checkpoint.pickle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Test resources and hand-built checkpoint files. */
final class TestFiles {

  private TestFiles() {}

  /** A resource below {@code io/github/ldm4j/checkpoint/pickle/}. */
  static byte[] resource(String name) {
    try (InputStream in = TestFiles.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a resource to {@code dir} and returns the copy. */
  static Path copy(String name, Path dir) throws IOException {
    Path p = dir.resolve(name.substring(name.lastIndexOf('/') + 1));
    Files.write(p, resource(name));
    return p;
  }

  /** A zip of the given entries, all stored unless named in {@code deflated}. */
  static byte[] zip(Map<String, byte[]> entries, String... deflated) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (var e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        boolean deflate = java.util.Arrays.asList(deflated).contains(e.getKey());
        entry.setMethod(deflate ? ZipEntry.DEFLATED : ZipEntry.STORED);
        if (!deflate) {
          CRC32 crc = new CRC32();
          crc.update(e.getValue());
          entry.setCrc(crc.getValue());
          entry.setSize(e.getValue().length);
          entry.setCompressedSize(e.getValue().length);
        }
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A torch zip checkpoint holding {@code dataPkl} and the given storages under {@code top/}. */
  static byte[] torchZip(String top, byte[] dataPkl, Map<String, byte[]> storages) {
    Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    entries.put(top + "/data.pkl", dataPkl);
    storages.forEach((k, v) -> entries.put(top + "/data/" + k, v));
    entries.put(top + "/version", "3\n".getBytes());
    return zip(entries);
  }

  /** A legacy checkpoint: magic, protocol, system info, {@code object}, then {@code tail} (keys pickle and storages). */
  static byte[] legacy(byte[] object, byte[] tail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new PickleWriter().proto(2).op(0x8a).u8(10)
        .raw(new byte[] {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19}).stop().bytes());
    out.writeBytes(new PickleWriter().proto(2).op('M').u8(0xe9).u8(0x03).stop().bytes());
    out.writeBytes(new PickleWriter().proto(2).op('}').str("little_endian").op(0x88).op('s').stop().bytes());
    out.writeBytes(object);
    out.writeBytes(tail);
    return out.toByteArray();
  }

  /** An empty storage-key list pickle, for a legacy file without storages. */
  static byte[] noStorages() {
    return new PickleWriter().proto(2).op(']').stop().bytes();
  }

  static byte[] le64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }
}
