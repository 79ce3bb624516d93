package io.github.ldm4j.checkpoint.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.pickle.internal.BadFormatException;
import io.github.ldm4j.checkpoint.pickle.internal.PickleLimits;
import io.github.ldm4j.checkpoint.pickle.internal.TorchStorages;
import io.github.ldm4j.checkpoint.pickle.internal.Unpickler;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The security requirement: pickles that would run code if a real unpickler loaded them are
 * refused, naming the global, and nothing runs (each payload would create a marker file). The
 * hostile files were written by src/test/python/make_test_pickles.py without ever being loaded.
 */
class HostilePickleTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "os_system, os.system",
    "posix_system, posix.system",
    "builtins_eval, builtins.eval",
    "builtins_eval_p2, builtins.eval",
    "subprocess_popen, subprocess.Popen",
    "nested_reduce, posix.system",
    "reduce_of_reduce, builtins.getattr",
    "callable_in_tuple, os.system",
    "builtins_getattr, builtins.getattr",
    "posix_system_memo, posix.system",
    "inst_os_system, os.system",
    "obj_os_system, os.system",
    "newobj_popen, subprocess.Popen",
    "torch_load_from_bytes, torch.storage._load_from_bytes",
    "pickle_loads, pickle.loads",
  })
  void aForbiddenGlobalIsRefusedByNameAndNothingRuns(String name, String global) throws IOException {
    Path marker = Path.of("/tmp/ldm4j-pwned-" + name);
    Files.deleteIfExists(marker);
    byte[] pickle = TestFiles.resource("hostile/" + name + ".pkl");

    assertThatThrownBy(() -> Unpickler.loads(pickle))
        .isInstanceOf(BadFormatException.class)
        .hasMessageContaining("forbidden global '" + global + "'");
    // The same pickle as the object of a zip checkpoint and of a legacy one.
    Path zip = Files.write(dir.resolve(name + ".zip.pt"), TestFiles.torchZip("archive", pickle, Map.of()));
    assertThatThrownBy(() -> TorchCheckpoint.open(zip))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(zip.toString())
        .hasMessageContaining("archive/data.pkl")
        .hasMessageContaining("forbidden global '" + global + "'");
    Path legacy = Files.write(dir.resolve(name + ".legacy.pt"), TestFiles.legacy(pickle, TestFiles.noStorages()));
    assertThatThrownBy(() -> TorchCheckpoint.open(legacy))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("forbidden global '" + global + "'");

    assertThat(marker).doesNotExist();
  }

  @Test
  void aPayloadAimedAtThisTestsDirectoryLeavesNoMarker() throws IOException {
    Path marker = dir.resolve("marker");
    for (String[] g : new String[][] {{"os", "system"}, {"posix", "system"}, {"builtins", "exec"}, {"subprocess", "call"},
        {"nt", "system"}, {"runpy", "_run_code"}, {"importlib", "import_module"}, {"webbrowser", "open"}}) {
      byte[] pickle = new PickleWriter().proto(2).global(g[0], g[1]).binUnicode("touch " + marker).op(0x85, 'R').stop().bytes();
      assertThatThrownBy(() -> Unpickler.loads(pickle)).hasMessageContaining("forbidden global '" + g[0] + "." + g[1] + "'");
      Path file = Files.write(dir.resolve("p.pt"), TestFiles.torchZip("p", pickle, Map.of()));
      assertThatThrownBy(() -> TorchCheckpoint.open(file)).isInstanceOf(CheckpointFormatException.class);
    }
    assertThat(marker).doesNotExist();
  }

  @Test
  void aForbiddenGlobalIsRefusedEvenWhenNeverCalled() {
    // Only named, as a dict value: still refused, at the name.
    byte[] pickle = new PickleWriter().proto(2).op('}').str("k").global("os", "system").op('s').stop().bytes();
    assertThatThrownBy(() -> Unpickler.loads(pickle)).hasMessageContaining("forbidden global 'os.system'");
  }

  @Test
  void allowedNamesThatAreNotCallablesCannotBeCalled() {
    byte[] storage = new PickleWriter().proto(2).global("torch", "FloatStorage").integer(4).op(0x85, 'R').stop().bytes();
    assertThatThrownBy(() -> Unpickler.loads(storage))
        .hasMessageContaining("global 'torch.FloatStorage' is allowed only as a name, not called");
    byte[] ndarray = new PickleWriter().proto(2).global("numpy", "ndarray").op(')', 'R').stop().bytes();
    assertThatThrownBy(() -> Unpickler.loads(ndarray)).hasMessageContaining("numpy.ndarray");
  }

  @Test
  void aCallableThatIsNotAGlobalIsRefused() {
    byte[] strCall = new PickleWriter().proto(2).str("os.system").op(')', 'R').stop().bytes();
    assertThatThrownBy(() -> Unpickler.loads(strCall)).hasMessageContaining("REDUCE on a str");
    byte[] tupleCall = new PickleWriter().proto(2).op(')', ')', 'R').stop().bytes();
    assertThatThrownBy(() -> Unpickler.loads(tupleCall)).hasMessageContaining("REDUCE on a tuple");
  }

  @Test
  void extensionCodesAndOutOfBandBuffersAreRefused() {
    assertThatThrownBy(() -> Unpickler.loads(TestFiles.resource("hostile/ext1.pkl"))).hasMessageContaining("EXT1");
    assertThatThrownBy(() -> Unpickler.loads(new PickleWriter().proto(5).op(0x97).stop().bytes()))
        .hasMessageContaining("out-of-band");
  }

  @Test
  void unknownEncodingsOfCodecsEncodeAreRefused() {
    byte[] pickle = new PickleWriter().proto(2).global("_codecs", "encode").str("x").str("rot13").op(0x86, 'R').stop().bytes();
    assertThatThrownBy(() -> Unpickler.loads(pickle)).hasMessageContaining("encoding 'rot13' is not supported");
  }

  @Test
  void aWholePickledModuleIsRefused() {
    byte[] pickle = new PickleWriter().proto(2).str("module").str("source").op(0x86, 'Q').stop().bytes();
    assertThatThrownBy(() -> new Unpickler(MemorySegment.ofArray(pickle), 0, new TorchStorages(false), PickleLimits.DEFAULTS).load())
        .hasMessageContaining("persistent id 'module'");
  }

  // ------------------------------------------------------------------ bombs

  @Test
  void deeplyNestedMarksHitTheMarkLimit() {
    PickleWriter w = new PickleWriter().proto(2);
    for (int i = 0; i < 100_000; i++) {
      w.op('(');
    }
    assertThatThrownBy(() -> Unpickler.loads(w.stop().bytes())).hasMessageContaining("nested MARKs");
  }

  @Test
  void deeplyNestedTuplesHitTheDepthLimit() {
    PickleWriter w = new PickleWriter().proto(2).op(')');
    for (int i = 0; i < 100_000; i++) {
      w.op(0x85); // TUPLE1 around the top: one level deeper each time, constant stack
    }
    assertThatThrownBy(() -> Unpickler.loads(w.stop().bytes())).hasMessageContaining("nested deeper than the limit");
  }

  @Test
  void deeplyNestedListsBuiltThroughTheMemoHitTheDepthLimit() {
    // x = []; repeat: y = []; y.append(x); x = y — with a constant stack.
    PickleWriter w = new PickleWriter().proto(2).op(']').op('q').u8(0).op('0');
    for (int i = 0; i < 100_000; i++) {
      w.op(']').op('h').u8(0).op('a').op('q').u8(0).op('0');
    }
    assertThatThrownBy(() -> Unpickler.loads(w.op('h').u8(0).stop().bytes())).hasMessageContaining("nested deeper than the limit");
  }

  @Test
  void hugeDeclaredLengthsFailBeforeAllocating() {
    long[] lengths = {Long.MAX_VALUE, -1L, 1L << 40};
    for (long n : lengths) {
      for (int op : new int[] {0x8e, 0x8d, 0x96}) { // BINBYTES8, BINUNICODE8, BYTEARRAY8
        byte[] pickle = new PickleWriter().proto(4).op(op).i64(n).stop().bytes();
        assertThatThrownBy(() -> Unpickler.loads(pickle)).hasMessageContaining("truncated pickle");
      }
      byte[] frame = new PickleWriter().proto(4).op(0x95).i64(n).op('N').stop().bytes();
      assertThatThrownBy(() -> Unpickler.loads(frame)).hasMessageContaining("frame of");
    }
    for (int op : new int[] {'B', 'X', 'T'}) { // BINBYTES, BINUNICODE, BINSTRING with 0xFFFFFFFF / -1
      byte[] pickle = new PickleWriter().proto(3).op(op).i32(-1).stop().bytes();
      assertThatThrownBy(() -> Unpickler.loads(pickle)).hasMessageMatching(".*(truncated pickle|negative length).*");
    }
    byte[] long4 = new PickleWriter().proto(2).op(0x8b).i32(Integer.MAX_VALUE).stop().bytes();
    assertThatThrownBy(() -> Unpickler.loads(long4)).hasMessageContaining("exceeds the limit");
    byte[] digits = new PickleWriter().op('L').line("9".repeat(100_000) + "L").stop().bytes();
    assertThatThrownBy(() -> Unpickler.loads(digits)).hasMessageContaining("digits");
  }

  @Test
  void repetitionBySharingStaysLinear() {
    // The "billion laughs": 30 levels of a list holding the previous one 10 times, ~10^30 leaves if
    // expanded. Values are shared by reference and never walked, so it costs what the bytes say.
    PickleWriter w = new PickleWriter().proto(2).op(']').op('q').u8(0).op('0');
    for (int level = 0; level < 30; level++) {
      w.op(']').op('(');
      for (int i = 0; i < 10; i++) {
        w.op('h').u8(0);
      }
      w.op('e').op('q').u8(0).op('0');
    }
    byte[] pickle = w.op('h').u8(0).stop().bytes();
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      Object v = Unpickler.loads(pickle);
      assertThat(v).isNotNull();
    });
  }

  @Test
  void aTupleKeyHashBombHitsTheKeyWeightLimit() {
    // t(n) = (t(n-1), t(n-1)): hashing or comparing it naively visits 2^n tuples.
    PickleWriter w = new PickleWriter().proto(2).op('}').op(')');
    for (int i = 0; i < 200; i++) {
      w.op('2', 0x86); // DUP, TUPLE2
    }
    byte[] pickle = w.integer(1).op('s').stop().bytes();
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThatThrownBy(() -> Unpickler.loads(pickle)).hasMessageContaining("dict key of"));
  }

  @Test
  void aHugeStackHitsTheStackLimit() {
    PickleWriter w = new PickleWriter().proto(2).op('N');
    for (int i = 0; i < (1 << 20) + 10; i++) {
      w.op('2');
    }
    assertThatThrownBy(() -> Unpickler.loads(w.stop().bytes())).hasMessageContaining("values on the stack");
  }
}
