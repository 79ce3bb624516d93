package io.github.ldm4j.checkpoint.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Truncated, inconsistent and unsupported files: each refused with a CheckpointFormatException that says why. */
class TorchCheckpointCorruptionTest {

  @TempDir Path dir;

  private Path write(byte[] bytes) throws IOException {
    return Files.write(dir.resolve("c.pt"), bytes);
  }

  private AbstractThrowableAssert<?, ? extends Throwable> refused(byte[] bytes) throws IOException {
    Path file = write(bytes);
    return assertThatThrownBy(() -> TorchCheckpoint.open(file).close())
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageStartingWith(file + ": ");
  }

  /** The entries of a zip, through java.util.zip.ZipFile (torch's stored entries carry data descriptors, which ZipInputStream refuses). */
  private Map<String, byte[]> entriesOf(byte[] zip) throws IOException {
    Path file = Files.write(Files.createTempFile(dir, "entries", ".zip"), zip);
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(file.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        try (var in = z.getInputStream(e)) {
          out.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return out;
  }

  private static TorchZipWriter rezip(Map<String, byte[]> entries) {
    TorchZipWriter w = new TorchZipWriter();
    entries.forEach(w::add);
    return w;
  }

  private Map<String, byte[]> plainEntries() throws IOException {
    return entriesOf(TestFiles.resource("torch/plain.zip.pt"));
  }

  // ------------------------------------------------------------------ truncation

  @ParameterizedTest
  @ValueSource(strings = {"plain.zip.pt", "plain.legacy.pt"})
  void everyPrefixOfAValidCheckpointIsRefusedCleanly(String name) throws IOException {
    byte[] whole = TestFiles.resource("torch/" + name);
    Path file = dir.resolve("prefix.pt");
    for (int n = 0; n < whole.length; n++) {
      Files.write(file, Arrays.copyOf(whole, n));
      int length = n;
      assertThatThrownBy(() -> TorchCheckpoint.open(file).close())
          .as("prefix of %d bytes", length)
          .isInstanceOf(CheckpointFormatException.class);
    }
    Files.write(file, whole);
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
      assertThat(ckpt.entries()).hasSize(11);
    }
  }

  @Test
  void emptyRandomAndForeignFiles() throws IOException {
    refused(new byte[0]).hasMessageContaining("empty file");
    refused("hello, world\n".getBytes(StandardCharsets.US_ASCII)).hasMessageContaining("neither a zip archive nor a legacy");
    refused(new PickleWriter().op('N').stop().bytes()).hasMessageContaining("magic number");
    byte[] tar = new byte[1024];
    System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
    refused(tar).hasMessageContaining("tar format");
    byte[] safetensorsLike = new byte[64];
    safetensorsLike[0] = 8;
    refused(safetensorsLike).hasMessageContaining("neither a zip archive nor a legacy");
  }

  // ------------------------------------------------------------------ zip layout

  @Test
  void theTopFolderIsFoundWhateverItsName() throws IOException {
    Map<String, byte[]> renamed = new LinkedHashMap<>();
    plainEntries().forEach((k, v) -> renamed.put("sd-v1-5-pruned-emaonly" + k.substring(k.indexOf('/')), v));
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(write(rezip(renamed).bytes()))) {
      assertThat(ckpt.entries()).hasSize(11);
      assertThat(ckpt.toFloat("model.diffusion_model.w_f32").toArray()).hasSize(6);
    }
  }

  @Test
  void zip64ArchivesAreRead() throws IOException {
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(write(rezip(plainEntries()).zip64().bytes()))) {
      assertThat(ckpt.entries()).hasSize(11);
      assertThat(ckpt.toFloat("model.w_f16").toArray()).containsExactly(1f, -2.5f, 65504f, Float.float16ToFloat((short) 0x068e));
    }
  }

  @Test
  void aDeflatedPickleIsAcceptedButADeflatedStorageIsNot() throws IOException {
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(write(TestFiles.zip(plainEntries(), "plain.zip/data.pkl")))) {
      assertThat(ckpt.entries()).hasSize(11);
    }
    refused(TestFiles.zip(plainEntries(), "plain.zip/data/0"))
        .hasMessageContaining("storage '0' (plain.zip/data/0) is compressed (zip method 8)");
  }

  @Test
  void entriesOutsideTheTopFolderOrSeveralPicklesAreRefused() throws IOException {
    Map<String, byte[]> extra = plainEntries();
    extra.put("evil.py", new byte[] {1});
    refused(rezip(extra).bytes()).hasMessageContaining("zip entry 'evil.py' lies outside the archive folder 'plain.zip/'");
    Map<String, byte[]> two = plainEntries();
    two.put("other/data.pkl", two.get("plain.zip/data.pkl"));
    refused(rezip(two).bytes()).hasMessageContaining("several data.pkl");
  }

  @Test
  void torchScriptAndPlainZipsAreNamedForWhatTheyAre() throws IOException {
    refused(new TorchZipWriter().add("m/constants.pkl", new byte[] {'N', '.'}).add("m/code/m.py", new byte[1]).bytes())
        .hasMessageContaining("TorchScript archive");
    refused(new TorchZipWriter().add("readme.txt", new byte[1]).bytes()).hasMessageContaining("without <folder>/data.pkl");
  }

  @Test
  void byteOrder() throws IOException {
    Map<String, byte[]> little = plainEntries();
    little.put("plain.zip/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(write(rezip(little).bytes()))) {
      assertThat(ckpt.entries()).hasSize(11);
    }
    Map<String, byte[]> big = plainEntries();
    big.put("plain.zip/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
    refused(rezip(big).bytes()).hasMessageContaining("byte order 'big'");
  }

  @Test
  void missingAndShortStorages() throws IOException {
    Map<String, byte[]> missing = plainEntries();
    missing.remove("plain.zip/data/0");
    refused(rezip(missing).bytes()).hasMessageContaining("storage '0' has no entry plain.zip/data/0");
    Map<String, byte[]> shortened = plainEntries();
    shortened.put("plain.zip/data/0", new byte[10]);
    refused(rezip(shortened).bytes()).hasMessageContaining("storage '0' (plain.zip/data/0) holds 10 bytes, its 6 F32 elements need 24");
  }

  @Test
  void aCorruptPickleFailsItsCrc() throws IOException {
    byte[] bytes = TestFiles.resource("torch/plain.zip.pt");
    bytes[64 + 40] ^= 0x20; // inside data.pkl, whose data starts at 64
    refused(bytes).hasMessageContaining("CRC-32");
  }

  @Test
  void anEntryRunningPastTheEndOrIntoAnotherIsRefused() throws IOException {
    byte[] beyond = TestFiles.resource("torch/plain.zip.pt");
    patchCentral(beyond, "plain.zip/data/0", 20, 0x7fff_0000); // compressed size
    refused(beyond).hasMessageContaining("run past the data area");
    byte[] overlap = TestFiles.resource("torch/plain.zip.pt");
    patchCentral(overlap, "plain.zip/data/0", 20, 200); // 200 bytes reach the next entry's header
    refused(overlap).hasMessageContaining("overlap");
    byte[] header = TestFiles.resource("torch/plain.zip.pt");
    patchCentral(header, "plain.zip/data/0", 42, 0x7000_0000); // local header offset
    refused(header).hasMessageContaining("lies outside the data area");
    byte[] renamed = TestFiles.resource("torch/plain.zip.pt");
    patchCentral(renamed, "plain.zip/data/1", 42, centralField(renamed, "plain.zip/data/0", 42)); // points at another header
    refused(renamed).hasMessageMatching("(?s).*(local header names a different file|overlap).*");
  }

  @Test
  void encryptedAndMultiDiskArchivesAreRefused() throws IOException {
    byte[] encrypted = TestFiles.resource("torch/plain.zip.pt");
    patchCentral16(encrypted, "plain.zip/data.pkl", 8, 1);
    refused(encrypted).hasMessageContaining("encrypted");
    byte[] multiDisk = TestFiles.resource("torch/plain.zip.pt");
    ByteBuffer.wrap(multiDisk).order(ByteOrder.LITTLE_ENDIAN).putShort(multiDisk.length - 22 + 4, (short) 1);
    refused(multiDisk).hasMessageContaining("multi-disk");
  }

  // ------------------------------------------------------------------ the object

  @Test
  void theObjectMustBeADictOfTensors() throws IOException {
    refused(TestFiles.torchZip("a", new PickleWriter().proto(2).op(']').stop().bytes(), Map.of()))
        .hasMessageContaining("the checkpoint holds a list, expected a dict of tensors");
  }

  @Test
  void aTensorOutsideItsStorageIsRefusedByName() throws IOException {
    refused(TestFiles.torchZip("a", tensorPickle("w", 10, 5), Map.of("0", new byte[48]))).hasMessageContaining(
        "tensor 'w' (5 elements from element 10) runs past its storage '0' of 12 elements");
    try (TorchCheckpoint ok = TorchCheckpoint.open(write(TestFiles.torchZip("a", tensorPickle("w", 7, 5), Map.of("0", new byte[48]))))) {
      assertThat(ok.data("w").byteSize()).isEqualTo(20);
    }
  }

  @Test
  void aStorageNamedWithTwoTypesIsRefused() throws IOException {
    byte[] pickle = new PickleWriter().proto(2).op('(')
        .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(1).op('t', 'Q')
        .op('(').str("storage").global("torch", "HalfStorage").str("0").str("cpu").integer(1).op('t', 'Q')
        .op('l').stop().bytes();
    refused(TestFiles.torchZip("a", pickle, Map.of("0", new byte[4]))).hasMessageContaining("storage '0' named twice");
  }

  // ------------------------------------------------------------------ legacy layout

  @Test
  void legacyStorageListsMustMatchTheObject() throws IOException {
    byte[] object = legacyTensorPickle();
    byte[] keys = new PickleWriter().proto(2).op(']').str("k").op('a').stop().bytes();
    byte[] good = concat(keys, TestFiles.le64(3), new byte[12]);
    try (TorchCheckpoint ckpt = TorchCheckpoint.open(write(TestFiles.legacy(object, good)))) {
      assertThat(ckpt.format()).isEqualTo(TorchCheckpoint.Format.LEGACY);
      assertThat(ckpt.toFloat("w").toArray()).containsExactly(0f, 0f, 0f);
    }
    refused(TestFiles.legacy(object, concat(keys, TestFiles.le64(4), new byte[16]))).hasMessageContaining("holds 4 elements, the object says 3");
    refused(TestFiles.legacy(object, concat(keys, TestFiles.le64(3), new byte[11]))).hasMessageContaining("runs past the end");
    refused(TestFiles.legacy(object, TestFiles.noStorages())).hasMessageContaining("missing from the legacy storage list");
    byte[] otherKeys = new PickleWriter().proto(2).op(']').str("zz").op('a').stop().bytes();
    refused(TestFiles.legacy(object, otherKeys)).hasMessageContaining("'zz', a storage the object does not use");
    byte[] protocol = TestFiles.legacy(object, good);
    protocol[18] = (byte) 0xea; // protocol version 1002 (the magic pickle is 15 bytes, then PROTO 2, BININT2)
    refused(protocol).hasMessageContaining("legacy protocol version 1002");
  }

  // ------------------------------------------------------------------ helpers

  /** {'w': _rebuild_tensor_v2(FloatStorage '0' of 12, offset, (n,), (1,), False, OrderedDict())}. */
  private static byte[] tensorPickle(String name, int offset, int n) {
    return new PickleWriter().proto(2).op('}').str(name).global("torch._utils", "_rebuild_tensor_v2").op('(')
        .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(12).op('t', 'Q')
        .integer(offset).integer(n).op(0x85).integer(1).op(0x85).op(0x89)
        .global("collections", "OrderedDict").op(')', 'R').op('t', 'R').op('s').stop().bytes();
  }

  private static byte[] legacyTensorPickle() {
    return new PickleWriter().proto(2).op('}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
        .op('(').str("storage").global("torch", "FloatStorage").str("k").str("cpu").integer(3).op('N').op('t', 'Q')
        .integer(0).integer(3).op(0x85).integer(1).op(0x85).op(0x89)
        .global("collections", "OrderedDict").op(')', 'R').op('t', 'R').op('s').stop().bytes();
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** The offset of the central directory record of {@code name}. */
  private static int centralRecord(byte[] zip, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    for (int p = 0; p + 46 + n.length <= zip.length; p++) {
      if (b.getInt(p) == 0x02014b50 && Short.toUnsignedInt(b.getShort(p + 28)) == n.length
          && Arrays.equals(zip, p + 46, p + 46 + n.length, n, 0, n.length)) {
        return p;
      }
    }
    throw new IllegalArgumentException("no central record for " + name);
  }

  private static void patchCentral(byte[] zip, String name, int field, int value) {
    ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(centralRecord(zip, name) + field, value);
  }

  private static void patchCentral16(byte[] zip, String name, int field, int value) {
    ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putShort(centralRecord(zip, name) + field, (short) value);
  }

  private static int centralField(byte[] zip, String name, int field) {
    return ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).getInt(centralRecord(zip, name) + field);
  }
}
