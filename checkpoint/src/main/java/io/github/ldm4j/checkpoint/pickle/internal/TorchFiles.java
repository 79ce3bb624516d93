package io.github.ldm4j.checkpoint.pickle.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two layouts {@code torch.save} writes, read from the mapped file down to the unpickled object
 * and the place of every storage's bytes in the file:
 *
 * <ul>
 *   <li><b>zip</b> (torch ≥ 1.6): {@code <top>/data.pkl}, the object; {@code <top>/data/<key>}, one
 *       stored (uncompressed) entry per storage; {@code <top>/version}, {@code <top>/byteorder},
 *       {@code <top>/.data/…}; {@code <top>} is whatever archive name the writer chose.
 *   <li><b>legacy</b> (torch &lt; 1.6, or {@code _use_new_zipfile_serialization=False}): five things
 *       in a row: a pickled magic number, a pickled protocol version (1001), a pickled system-info
 *       dict, the object pickle, a pickled list of storage keys; then each storage of that list as an
 *       8-byte little-endian element count followed by its bytes.
 * </ul>
 */
public final class TorchFiles {

  private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
  private static final long LEGACY_PROTOCOL = 1001;
  private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** Where some bytes lie in the file. */
  public record Slice(long offset, long length) {}

  /**
   * A file read down to its object.
   *
   * @param zip whether it is the zip format (else the legacy one)
   * @param top the unpickled object
   * @param storages every storage the object names, by key
   * @param data where each storage's bytes lie in the file, by key (at least {@code byteSize()} bytes)
   */
  public record Loaded(boolean zip, Object top, Map<String, StorageRef> storages, Map<String, Slice> data) {}

  private TorchFiles() {}

  /**
   * Reads {@code file} (mapped), either layout.
   *
   * @throws BadFormatException when it is neither, or not consistent
   */
  public static Loaded read(MemorySegment file, PickleLimits limits) throws BadFormatException {
    return ZipArchive.looksLikeZip(file) ? readZip(file, limits) : readLegacy(file, limits);
  }

  private static Loaded readZip(MemorySegment file, PickleLimits limits) throws BadFormatException {
    ZipArchive zip = ZipArchive.read(file);
    String top = topFolder(zip);
    String prefix = top + "/";
    for (String name : zip.entries().keySet()) {
      if (!name.startsWith(prefix)) {
        throw new BadFormatException("zip entry '" + name + "' lies outside the archive folder '" + prefix
            + "': not a torch.save checkpoint");
      }
    }
    ZipArchive.Entry byteorder = zip.entries().get(prefix + "byteorder");
    if (byteorder != null) {
      String order = new String(zip.read(byteorder, 64).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).strip();
      if (!order.equals("little")) {
        throw new BadFormatException("byte order '" + order + "': only little-endian checkpoints are supported");
      }
    }
    MemorySegment pickle = zip.read(zip.entries().get(prefix + "data.pkl"), limits.maxPickleBytes());
    TorchStorages storages = new TorchStorages(false);
    Object object;
    try {
      object = new Unpickler(pickle, 0, storages, limits).load();
    } catch (BadFormatException e) {
      throw new BadFormatException(prefix + "data.pkl, " + e.getMessage());
    }
    Map<String, Slice> data = new LinkedHashMap<>();
    for (StorageRef ref : storages.storages().values()) {
      String name = prefix + "data/" + ref.key();
      ZipArchive.Entry entry = zip.entries().get(name);
      if (entry == null) {
        throw new BadFormatException("storage '" + ref.key() + "' has no entry " + name);
      }
      if (entry.method() != ZipArchive.STORED) {
        throw new BadFormatException("storage '" + ref.key() + "' (" + name + ") is compressed (zip method "
            + entry.method() + "); torch.save stores storages uncompressed so that they can be mapped: the file was "
            + "re-zipped, re-save it with torch.save (or zip -0)");
      }
      if (entry.compressedSize() < ref.byteSize()) {
        throw new BadFormatException("storage '" + ref.key() + "' (" + name + ") holds " + entry.compressedSize()
            + " bytes, its " + ref.numel() + " " + ref.dtype() + " elements need " + ref.byteSize());
      }
      data.put(ref.key(), new Slice(entry.dataOffset(), entry.compressedSize()));
    }
    return new Loaded(true, object, storages.storages(), Collections.unmodifiableMap(data));
  }

  private static String topFolder(ZipArchive zip) throws BadFormatException {
    String top = null;
    for (String name : zip.entries().keySet()) {
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
        if (top != null) {
          throw new BadFormatException("several data.pkl in the archive ('" + top + "/', '" + name.substring(0, slash) + "/')");
        }
        top = name.substring(0, slash);
      }
    }
    if (top == null) {
      boolean script = zip.entries().keySet().stream().anyMatch(n -> n.endsWith("/constants.pkl") || n.contains("/code/"));
      throw new BadFormatException(script
          ? "a TorchScript archive (torch.jit.save), not a torch.save checkpoint"
          : "zip archive without <folder>/data.pkl: not a torch.save checkpoint");
    }
    return top;
  }

  private static Loaded readLegacy(MemorySegment file, PickleLimits limits) throws BadFormatException {
    if (file.byteSize() >= 262 && new String(file.asSlice(257, 5).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1).equals("ustar")) {
      throw new BadFormatException("the tar format of torch < 0.4 is not supported; re-save with torch ≥ 1.6 or convert to safetensors");
    }
    long p = 0;
    Unpickler u = new Unpickler(file, p, PersistentLoader.NONE, limits);
    Object magic;
    try {
      magic = u.load();
    } catch (BadFormatException e) {
      throw new BadFormatException("neither a zip archive nor a legacy torch.save pickle (" + e.getMessage() + ")");
    }
    if (!(magic instanceof BigInteger m) || !m.equals(LEGACY_MAGIC)) {
      throw new BadFormatException("a pickle without torch.save's magic number: not a PyTorch checkpoint");
    }
    p = u.position();
    u = new Unpickler(file, p, PersistentLoader.NONE, limits);
    Object protocol = legacyPart(u, "protocol version");
    if (!(protocol instanceof Long v) || v != LEGACY_PROTOCOL) {
      throw new BadFormatException("legacy protocol version " + (protocol instanceof Long ? protocol : Values.typeName(protocol))
          + " is not supported (expected " + LEGACY_PROTOCOL + ")");
    }
    u = new Unpickler(file, u.position(), PersistentLoader.NONE, limits);
    Object sysInfo = legacyPart(u, "system info");
    if (sysInfo instanceof PickleDict info && Boolean.FALSE.equals(info.get("little_endian"))) {
      throw new BadFormatException("written on a big-endian machine: only little-endian checkpoints are supported");
    }
    TorchStorages storages = new TorchStorages(true);
    u = new Unpickler(file, u.position(), storages, limits);
    Object object = legacyPart(u, "object");
    u = new Unpickler(file, u.position(), PersistentLoader.NONE, limits);
    Object keys = legacyPart(u, "storage keys");
    if (!(keys instanceof PickleList list)) {
      throw new BadFormatException("legacy storage keys are a " + Values.typeName(keys) + ", expected a list");
    }
    p = u.position();
    long size = file.byteSize();
    Map<String, Slice> data = new LinkedHashMap<>();
    for (Object k : list) {
      if (!(k instanceof String key) || !storages.storages().containsKey(key)) {
        throw new BadFormatException("legacy storage list names " + (k instanceof String s ? "'" + s + "', a storage the object does not use" : "a " + Values.typeName(k)));
      }
      if (data.containsKey(key)) {
        throw new BadFormatException("legacy storage list names '" + key + "' twice");
      }
      StorageRef ref = storages.storages().get(key);
      if (size - p < 8) {
        throw new BadFormatException("storage '" + key + "' missing at byte " + p + ": truncated file");
      }
      long count = file.get(I64, p);
      if (count != ref.numel()) {
        throw new BadFormatException("storage '" + key + "' at byte " + p + " holds " + count + " elements, the object says " + ref.numel());
      }
      p += 8;
      if (ref.byteSize() > size - p) {
        throw new BadFormatException("storage '" + key + "' (" + ref.byteSize() + " bytes at " + p + ") runs past the end of the "
            + size + "-byte file: truncated");
      }
      data.put(key, new Slice(p, ref.byteSize()));
      p += ref.byteSize();
    }
    for (String key : storages.storages().keySet()) {
      if (!data.containsKey(key)) {
        throw new BadFormatException("storage '" + key + "' is used by the object but missing from the legacy storage list");
      }
    }
    return new Loaded(false, object, storages.storages(), Collections.unmodifiableMap(data));
  }

  private static Object legacyPart(Unpickler u, String what) throws BadFormatException {
    try {
      return u.load();
    } catch (BadFormatException e) {
      throw new BadFormatException("legacy " + what + " pickle, " + e.getMessage());
    }
  }
}
