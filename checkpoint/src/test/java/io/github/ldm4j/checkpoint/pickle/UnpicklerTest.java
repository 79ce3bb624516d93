package io.github.ldm4j.checkpoint.pickle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.pickle.internal.BadFormatException;
import io.github.ldm4j.checkpoint.pickle.internal.Bytes;
import io.github.ldm4j.checkpoint.pickle.internal.Instance;
import io.github.ldm4j.checkpoint.pickle.internal.PickleDict;
import io.github.ldm4j.checkpoint.pickle.internal.PickleGlobal;
import io.github.ldm4j.checkpoint.pickle.internal.PickleLimits;
import io.github.ldm4j.checkpoint.pickle.internal.PickleList;
import io.github.ldm4j.checkpoint.pickle.internal.PickleSet;
import io.github.ldm4j.checkpoint.pickle.internal.StorageRef;
import io.github.ldm4j.checkpoint.pickle.internal.TensorRef;
import io.github.ldm4j.checkpoint.pickle.internal.TorchStorages;
import io.github.ldm4j.checkpoint.pickle.internal.Tuple;
import io.github.ldm4j.checkpoint.pickle.internal.Unpickler;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every opcode family of protocols 0 to 5, on pickles written by CPython and by hand. */
class UnpicklerTest {

  private static Object load(PickleWriter w) throws BadFormatException {
    return Unpickler.loads(w.stop().bytes());
  }

  // ------------------------------------------------------------------ CPython's own pickles

  @ParameterizedTest(name = "protocol {0}")
  @ValueSource(ints = {0, 1, 2, 3, 4, 5})
  void cpythonPicklesOfPlainDataUnderEveryProtocol(int protocol) throws BadFormatException {
    Object v = Unpickler.loads(TestFiles.resource("pickles/builtins-p" + protocol + ".pkl"));
    assertThat(v).isInstanceOf(PickleDict.class);
    PickleDict d = (PickleDict) v;
    assertThat(d.get("int")).isEqualTo(1L);
    assertThat(d.get("neg")).isEqualTo(-5L);
    assertThat(d.get("int32")).isEqualTo(100000L);
    assertThat(d.get("big")).isEqualTo(BigInteger.TWO.pow(70));
    assertThat(d.get("negbig")).isEqualTo(BigInteger.TWO.pow(65).negate());
    assertThat(d.get("float")).isEqualTo(1.5);
    assertThat(d.get("str")).isEqualTo("h\u00e9llo \u2603");
    assertThat(d.get("bytes")).isEqualTo(new Bytes(new byte[] {0, (byte) 0xff}));
    assertThat(d.get("tuple0")).isEqualTo(Tuple.EMPTY);
    assertThat(d.get("tuple1")).isEqualTo(Tuple.of(1L));
    assertThat(d.get("tuple2")).isEqualTo(Tuple.of(1L, 2L));
    assertThat(d.get("tuple3")).isEqualTo(Tuple.of(1L, 2L, 3L));
    assertThat(d.get("tuple4")).isEqualTo(Tuple.of(1L, 2L, 3L, 4L));
    PickleList list = (PickleList) d.get("list");
    assertThat(list).hasSize(2);
    assertThat(list.get(0)).isEqualTo(1L);
    assertThat((PickleList) list.get(1)).containsExactly(2L, null);
    assertThat(((PickleSet) d.get("set")).items()).containsExactlyInAnyOrder(1L, 2L);
    assertThat(((PickleSet) d.get("set")).frozen()).isFalse();
    assertThat(((PickleSet) d.get("frozenset")).items()).containsExactly(3L);
    assertThat(((PickleSet) d.get("frozenset")).frozen()).isTrue();
    assertThat(d).containsKey("none");
    assertThat(d.get("none")).isNull();
    assertThat(d.get("true")).isEqualTo(true);
    assertThat(d.get("false")).isEqualTo(false);
    PickleDict inner = (PickleDict) d.get("dict");
    assertThat(inner.get(1L)).isEqualTo("a");
    assertThat(inner.get(Tuple.of(1L, "k"))).isEqualTo("tuple key");
    Tuple shared = (Tuple) d.get("shared");
    assertThat(shared.get(0)).isSameAs(shared.get(1)); // the memo keeps identity
    PickleDict od = (PickleDict) d.get("od");
    assertThat(od.keySet()).containsExactly("x", "y");
  }

  // ------------------------------------------------------------------ ints, floats, bools, None

  @Test
  void textIntegersAndBools() throws BadFormatException {
    assertThat(load(new PickleWriter().op('I').line("00"))).isEqualTo(false);
    assertThat(load(new PickleWriter().op('I').line("01"))).isEqualTo(true);
    assertThat(load(new PickleWriter().op('I').line("-42"))).isEqualTo(-42L);
    assertThat(load(new PickleWriter().op('L').line("123456789012345678901234567890L")))
        .isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(load(new PickleWriter().op('L').line("7"))).isEqualTo(7L);
    assertThatThrownBy(() -> load(new PickleWriter().op('I').line("0x10"))).hasMessageContaining("bad integer");
  }

  @Test
  void binaryIntegers() throws BadFormatException {
    assertThat(load(new PickleWriter().op('J').i32(-7))).isEqualTo(-7L);
    assertThat(load(new PickleWriter().op('K').u8(200))).isEqualTo(200L);
    assertThat(load(new PickleWriter().op('M').u8(0x34).u8(0x12))).isEqualTo(0x1234L);
    assertThat(load(new PickleWriter().op(0x8a).u8(0))).isEqualTo(0L);
    assertThat(load(new PickleWriter().op(0x8a).u8(1).u8(0xff))).isEqualTo(-1L);
    assertThat(load(new PickleWriter().op(0x8a).u8(2).u8(0x00).u8(0x80))).isEqualTo(-32768L);
    assertThat(load(new PickleWriter().op(0x8a).u8(9).raw(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1})))
        .isEqualTo(BigInteger.ONE.shiftLeft(64));
    assertThat(load(new PickleWriter().op(0x8b).i32(1).u8(5))).isEqualTo(5L);
  }

  @Test
  void floats() throws BadFormatException {
    assertThat(load(new PickleWriter().op('F').line("2.5"))).isEqualTo(2.5);
    assertThat(load(new PickleWriter().op('F').line("-1e-05"))).isEqualTo(-1e-5);
    assertThat(load(new PickleWriter().op('F').line("inf"))).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(load(new PickleWriter().op('F').line("-inf"))).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat((Double) load(new PickleWriter().op('F').line("nan"))).isNaN();
    assertThat(load(new PickleWriter().op('G').raw(new byte[] {0x40, 0x09, 0x21, (byte) 0xfb, 0x54, 0x44, 0x2d, 0x18})))
        .isEqualTo(Math.PI);
    assertThatThrownBy(() -> load(new PickleWriter().op('F').line("1.0d"))).hasMessageContaining("bad float");
    assertThatThrownBy(() -> load(new PickleWriter().op('F').line("0x1p3"))).hasMessageContaining("bad float");
  }

  @Test
  void noneAndNewBools() throws BadFormatException {
    assertThat(load(new PickleWriter().op('N'))).isNull();
    assertThat(load(new PickleWriter().proto(2).op(0x88))).isEqualTo(true);
    assertThat(load(new PickleWriter().proto(2).op(0x89))).isEqualTo(false);
  }

  // ------------------------------------------------------------------ strings and bytes

  @Test
  void protocolZeroStringsWithEscapes() throws BadFormatException {
    assertThat(load(new PickleWriter().op('S').line("'a\\'b\\\\c\\n\\x41\\101'"))).isEqualTo("a'b\\c\nAA");
    assertThat(load(new PickleWriter().op('S').line("\"q\""))).isEqualTo("q");
    // raw-unicode-escape: latin-1 bytes (0xe9 is e-acute) and backslash-u / backslash-U escapes.
    assertThat(load(new PickleWriter().op('V').raw("caf\u00e9 \\u2603 \\U0001F600\n".getBytes(StandardCharsets.ISO_8859_1))))
        .isEqualTo("caf\u00e9 \u2603 \uD83D\uDE00");
    assertThatThrownBy(() -> load(new PickleWriter().op('S').line("unquoted"))).hasMessageContaining("quoted");
  }

  @Test
  void binaryStringsAndBytes() throws BadFormatException {
    assertThat(load(new PickleWriter().op('T').i32(2).raw("hi".getBytes()))).isEqualTo("hi");
    assertThat(load(new PickleWriter().op('U').u8(2).raw("ho".getBytes()))).isEqualTo("ho");
    assertThat(load(new PickleWriter().binUnicode("\u00e9"))).isEqualTo("\u00e9");
    assertThat(load(new PickleWriter().str("short"))).isEqualTo("short");
    assertThat(load(new PickleWriter().op(0x8d).i64(1).raw("z".getBytes()))).isEqualTo("z");
    assertThat(load(new PickleWriter().op('B').i32(1).u8(9))).isEqualTo(new Bytes(new byte[] {9}));
    assertThat(load(new PickleWriter().op('C').u8(1).u8(8))).isEqualTo(new Bytes(new byte[] {8}));
    assertThat(load(new PickleWriter().op(0x8e).i64(1).u8(7))).isEqualTo(new Bytes(new byte[] {7}));
    assertThat(load(new PickleWriter().proto(5).op(0x96).i64(1).u8(6).op(0x98))).isEqualTo(new Bytes(new byte[] {6}));
    assertThatThrownBy(() -> load(new PickleWriter().op('X').i32(1).u8(0xff))).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> load(new PickleWriter().op('N').op(0x98))).hasMessageContaining("READONLY_BUFFER on a None");
  }

  // ------------------------------------------------------------------ containers

  @Test
  void tuplesFromMarksAndFixedSizes() throws BadFormatException {
    assertThat(load(new PickleWriter().op('(').integer(1).integer(2).op('t'))).isEqualTo(Tuple.of(1L, 2L));
    assertThat(load(new PickleWriter().op('N', 0x85))).isEqualTo(Tuple.of((Object) null));
  }

  @Test
  void listsAppendAndAppends() throws BadFormatException {
    Object v = load(new PickleWriter().op('(').integer(1).op('l').integer(2).op('a').op('(').integer(3).integer(4).op('e'));
    assertThat((PickleList) v).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void dictsSetitemAndSetitems() throws BadFormatException {
    PickleDict d = (PickleDict) load(new PickleWriter().op('(').str("a").integer(1).op('d')
        .str("b").integer(2).op('s').op('(').str("c").integer(3).str("d").integer(4).op('u'));
    assertThat(d.keySet()).containsExactly("a", "b", "c", "d");
    assertThatThrownBy(() -> load(new PickleWriter().op('}').op(']').integer(1).op('s'))).hasMessageContaining("unhashable dict key: list");
    assertThatThrownBy(() -> load(new PickleWriter().op('(').integer(1).op('d'))).hasMessageContaining("odd number");
  }

  @Test
  void setsAdditemsAndFrozensets() throws BadFormatException {
    PickleSet s = (PickleSet) load(new PickleWriter().proto(4).op(0x8f).op('(').integer(1).integer(1).integer(2).op(0x90));
    assertThat(s.items()).containsExactly(1L, 2L);
    PickleSet f = (PickleSet) load(new PickleWriter().proto(4).op('(').str("x").op(0x91));
    assertThat(f.frozen()).isTrue();
    assertThat(f.items()).containsExactly("x");
    assertThatThrownBy(() -> load(new PickleWriter().proto(4).op('(').str("x").op(0x91).op('(').integer(1).op(0x90)))
        .hasMessageContaining("ADDITEMS on a frozenset");
    // A frozenset is hashable: a dict key.
    PickleDict d = (PickleDict) load(new PickleWriter().proto(4).op('}').op('(').integer(1).op(0x91).integer(2).op('s'));
    assertThat(d).hasSize(1);
  }

  // ------------------------------------------------------------------ stack and memo

  @Test
  void popPopMarkAndDup() throws BadFormatException {
    assertThat(load(new PickleWriter().integer(1).integer(2).op('0'))).isEqualTo(1L);
    assertThat(load(new PickleWriter().integer(1).op('(').integer(2).integer(3).op('1'))).isEqualTo(1L);
    assertThat(load(new PickleWriter().integer(1).op('(').op('0'))).isEqualTo(1L); // POP of an empty frame pops the mark
    Tuple t = (Tuple) load(new PickleWriter().op(']').op('2').op(0x86));
    assertThat(t.get(0)).isSameAs(t.get(1));
  }

  @Test
  void memoInEveryForm() throws BadFormatException {
    Tuple text = (Tuple) load(new PickleWriter().op(']').op('p').line("5").op('g').line("5").op(0x86));
    assertThat(text.get(0)).isSameAs(text.get(1));
    Tuple bin = (Tuple) load(new PickleWriter().op(']').op('q').u8(3).op('h').u8(3).op(0x86));
    assertThat(bin.get(0)).isSameAs(bin.get(1));
    Tuple longBin = (Tuple) load(new PickleWriter().op(']').op('r').i32(70000).op('j').i32(70000).op(0x86));
    assertThat(longBin.get(0)).isSameAs(longBin.get(1));
    Tuple memoize = (Tuple) load(new PickleWriter().proto(4).op(']', 0x94).op('h').u8(0).op(0x86));
    assertThat(memoize.get(0)).isSameAs(memoize.get(1));
    assertThatThrownBy(() -> load(new PickleWriter().op('h').u8(9))).hasMessageContaining("memo key 9 not defined");
    assertThatThrownBy(() -> load(new PickleWriter().op('p').line("-1"))).hasMessageContaining("bad memo index");
  }

  @Test
  void framesAndProtocols() throws BadFormatException {
    assertThat(load(new PickleWriter().proto(4).op(0x95).i64(2).integer(3))).isEqualTo(3L);
    assertThatThrownBy(() -> load(new PickleWriter().proto(6).op('N'))).hasMessageContaining("unsupported pickle protocol 6");
  }

  @Test
  void malformedStreams() {
    assertThatThrownBy(() -> Unpickler.loads(new byte[0])).hasMessageContaining("truncated pickle");
    assertThatThrownBy(() -> Unpickler.loads(new byte[] {'N'})).hasMessageContaining("truncated pickle");
    assertThatThrownBy(() -> load(new PickleWriter().op('N', 'N'))).hasMessageContaining("STOP with 2 values");
    assertThatThrownBy(() -> load(new PickleWriter().op('('))).hasMessageContaining("STOP with 0 values and 1 marks");
    assertThatThrownBy(() -> load(new PickleWriter().op('N', 'N', 'a'))).hasMessageContaining("APPEND on a None");
    assertThatThrownBy(() -> load(new PickleWriter().op(']', '(', 'a'))).hasMessageContaining("stack underflow");
    assertThatThrownBy(() -> load(new PickleWriter().op('t'))).hasMessageContaining("no MARK");
    assertThatThrownBy(() -> load(new PickleWriter().op(0xff))).hasMessageContaining("unknown opcode 0xff");
    assertThatThrownBy(() -> load(new PickleWriter().op('c').line("torch"))).hasMessageContaining("no newline");
    assertThatThrownBy(() -> load(new PickleWriter().proto(4).integer(1).str("x").op(0x93))).hasMessageContaining("STACK_GLOBAL of a int");
  }

  @Test
  void errorsGiveTheByteOffset() {
    assertThatThrownBy(() -> load(new PickleWriter().proto(2).op('N').op(0xfe))).hasMessageStartingWith("pickle byte 3: ");
  }

  // ------------------------------------------------------------------ globals, calls and BUILD

  @Test
  void orderedDictThroughReduceInstObjAndNewobj() throws BadFormatException {
    assertThat(load(new PickleWriter().proto(2).global("collections", "OrderedDict").op(')', 'R'))).isInstanceOf(PickleDict.class);
    assertThat(load(new PickleWriter().op('(').op('i').line("collections").line("OrderedDict"))).isInstanceOf(PickleDict.class);
    assertThat(load(new PickleWriter().op('(').global("collections", "OrderedDict").op('o'))).isInstanceOf(PickleDict.class);
    assertThat(load(new PickleWriter().proto(2).global("collections", "OrderedDict").op(')', 0x81))).isInstanceOf(PickleDict.class);
    PickleDict fromPairs = (PickleDict) load(new PickleWriter().proto(2).global("collections", "OrderedDict")
        .op(']').str("k").integer(1).op(0x86, 'a', 0x85, 'R'));
    assertThat(fromPairs).containsEntry("k", 1L);
    // An OrderedDict's BUILD (state_dict()'s _metadata attribute) is accepted and dropped.
    assertThat(load(new PickleWriter().proto(2).global("collections", "OrderedDict").op(')', 'R').op('}').op('b')))
        .isInstanceOf(PickleDict.class);
  }

  @Test
  void inertInstancesKeepArgumentsAndState() throws BadFormatException {
    Instance device = (Instance) load(new PickleWriter().proto(2).global("torch", "device").str("cuda").integer(0).op(0x86, 'R'));
    assertThat(device.global()).isEqualTo(new PickleGlobal("torch", "device"));
    assertThat(device.args()).isEqualTo(Tuple.of("cuda", 0L));
    Instance withKwargs = (Instance) load(new PickleWriter().proto(4).global("torch", "device").op(')')
        .op('}').str("type").str("cpu").op('s').op(0x92));
    assertThat(withKwargs.kwargs()).containsEntry("type", "cpu");
    Instance built = (Instance) load(new PickleWriter().proto(2)
        .global("pytorch_lightning.callbacks.model_checkpoint", "ModelCheckpoint").op(')', 0x81)
        .op('}').str("monitor").op('N', 's').op('b').op('}').str("dirpath").str("/x").op('s').op('b'));
    assertThat((PickleDict) built.state()).containsKeys("monitor", "dirpath");
    assertThatThrownBy(() -> load(new PickleWriter().integer(1).op('}').op('b'))).hasMessageContaining("BUILD on a int");
  }

  @Test
  void numpyScalarsDecodeToNumbers() throws BadFormatException {
    // What numpy writes for np.float64(0.25) under protocol 2 (see lightning.zip.pt's callback state).
    PickleWriter w = new PickleWriter().proto(2).global("numpy.core.multiarray", "scalar")
        .global("numpy", "dtype").str("f8").op(0x89, 0x88, 0x87, 'R')
        .op('(').integer(3).str("<").op('N', 'N', 'N').integer(-1).integer(-1).integer(0).op('t', 'b')
        .global("_codecs", "encode").str("\u0000\u0000\u0000\u0000\u0000\u0000\u00d0?").str("latin1").op(0x86, 'R')
        .op(0x86, 'R');
    assertThat(load(w)).isEqualTo(0.25);
    PickleWriter i4 = new PickleWriter().proto(3).global("numpy.core.multiarray", "scalar")
        .global("numpy", "dtype").str("i4").op(0x89, 0x88, 0x87, 'R')
        .op('C').u8(4).raw(new byte[] {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff}).op(0x86, 'R');
    assertThat(load(i4)).isEqualTo(-2L);
    PickleWriter odd = new PickleWriter().proto(3).global("numpy.core.multiarray", "scalar")
        .global("numpy", "dtype").str("U3").op(0x89, 0x88, 0x87, 'R').op('C').u8(1).u8(0).op(0x86, 'R');
    assertThat(load(odd)).isInstanceOf(Instance.class);
  }

  @Test
  void setsSizesAndCodecsThroughCalls() throws BadFormatException {
    PickleSet set = (PickleSet) load(new PickleWriter().proto(2).global("__builtin__", "set").op(']').integer(4).op('a', 0x85, 'R'));
    assertThat(set.items()).containsExactly(4L);
    PickleSet frozen = (PickleSet) load(new PickleWriter().proto(3).global("builtins", "frozenset").op(')', 'R'));
    assertThat(frozen.frozen()).isTrue();
    assertThat(load(new PickleWriter().proto(2).global("torch", "Size").integer(2).integer(3).op(0x86, 0x85, 'R')))
        .isEqualTo(Tuple.of(2L, 3L));
    assertThat(load(new PickleWriter().proto(2).global("_codecs", "encode").str("\u00e9").op(0x85, 'R')))
        .isEqualTo(new Bytes(new byte[] {(byte) 0xc3, (byte) 0xa9}));
    assertThatThrownBy(() -> load(new PickleWriter().proto(2).global("_codecs", "encode").str("\u2603").str("latin1").op(0x86, 'R')))
        .hasMessageContaining("cannot be encoded");
    assertThat(load(new PickleWriter().proto(2).global("torch", "float16"))).isEqualTo(new PickleGlobal("torch", "float16"));
  }

  @Test
  void tensorsFromPersistentStorages() throws BadFormatException {
    // _rebuild_parameter_with_state(_rebuild_tensor_v2(<storage>, 2, (2, 5), (5, 1), False, OrderedDict()), True, {}, {})
    PickleWriter w = new PickleWriter().proto(2).global("torch._utils", "_rebuild_parameter_with_state").op('(')
        .global("torch._utils", "_rebuild_tensor_v2").op('(')
        .op('(').str("storage").global("torch", "HalfStorage").str("0").str("cpu").integer(12).op('t', 'Q')
        .integer(2).integer(2).integer(5).op(0x86).integer(5).integer(1).op(0x86).op(0x89)
        .global("collections", "OrderedDict").op(')', 'R').op('t', 'R')
        .op(0x88).op('}').op('}').op('t', 'R');
    TorchStorages storages = new TorchStorages(false);
    w.stop();
    Object v = new Unpickler(MemorySegment.ofArray(w.bytes()), 0, storages, PickleLimits.DEFAULTS).load();
    TensorRef t = (TensorRef) v;
    assertThat(t.storage()).isEqualTo(new StorageRef("0", DType.F16, "cpu", 12));
    assertThat(t.offset()).isEqualTo(2);
    assertThat(t.shape()).containsExactly(2, 5);
    assertThat(t.stride()).containsExactly(5, 1);
    assertThat(t.isContiguous()).isTrue();
    assertThat(storages.storages()).containsOnlyKeys("0");
  }

  @Test
  void rebuildTensorChecksItsArguments() {
    PickleWriter w = new PickleWriter().proto(2).global("torch._utils", "_rebuild_tensor_v2")
        .op('(').str("not a storage").integer(0).op(')', ')', 0x89, 'N', 't', 'R');
    assertThatThrownBy(() -> load(w)).hasMessageContaining("argument 1 (storage) is a str");
  }

  @Test
  void aGlobalUnderPickleProtocolThreeKeepsItsModuleName() {
    // __builtin__ is Python 2's name, mapped only for protocols < 3, as CPython does.
    assertThatThrownBy(() -> load(new PickleWriter().proto(3).global("__builtin__", "set")))
        .hasMessageContaining("forbidden global '__builtin__.set'");
  }

  @Test
  void noneWhereAContainerIsExpected() {
    // Fuzzing finding: pattern switches over a None (null) value threw NullPointerException.
    assertThatThrownBy(() -> load(new PickleWriter().proto(2).op('N').op('}').op('b'))).hasMessageContaining("BUILD on a None");
    assertThatThrownBy(() -> load(new PickleWriter().proto(2).global("collections", "OrderedDict").op('N', 0x85, 'R')))
        .hasMessageContaining("OrderedDict of a None");
    assertThatThrownBy(() -> load(new PickleWriter().proto(2).global("collections", "OrderedDict").op(']', 'N', 'a', 0x85, 'R')))
        .hasMessageContaining("holding a None");
    assertThatThrownBy(() -> load(new PickleWriter().proto(2).global("builtins", "set").op('N', 0x85, 'R')))
        .hasMessageContaining("set of a None");
  }

  @Test
  void setElementsMustBeHashable() {
    assertThatThrownBy(() -> load(new PickleWriter().proto(4).op(0x8f).op('(').op(']').op(0x90)))
        .hasMessageContaining("unhashable set element: list");
  }
}
