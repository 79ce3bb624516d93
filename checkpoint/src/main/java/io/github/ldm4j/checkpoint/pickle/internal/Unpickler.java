package io.github.ldm4j.checkpoint.pickle.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A restricted pickle virtual machine: every opcode of pickle protocols 0 to 5, producing inert Java
 * values, never code. Globals are checked against the {@link AllowList} when they are named (a
 * forbidden one fails there, whether or not it would be called); "calling" an allowed one computes
 * a plain value ({@link Calls}); persistent ids go to a {@link PersistentLoader}.
 *
 * <p>Python values become: {@code None} → {@code null}, {@code bool} → {@link Boolean}, {@code int} →
 * {@link Long} (or {@link BigInteger} beyond 64 bits), {@code float} → {@link Double}, {@code str} →
 * {@link String}, {@code bytes}/{@code bytearray} → {@link Bytes}, {@code tuple} → {@link Tuple},
 * {@code list} → {@link PickleList}, {@code dict}/{@code OrderedDict} → {@link PickleDict}, {@code
 * set}/{@code frozenset} → {@link PickleSet}, a global → {@link PickleGlobal}, an object of an allowed
 * class → {@link Instance}, a tensor → {@link TensorRef}. Like Python 3's unpickler with {@code
 * encoding='utf-8'} (what {@code torch.load} passes), protocol-0/1/2 8-bit strings are decoded as
 * UTF-8 and {@code __builtin__} names map to {@code builtins}.
 *
 * <p>Reads one pickle from a position of a segment (a legacy checkpoint holds several in a row);
 * {@link #position()} is where it stopped. Not thread-safe; one instance per pickle.
 */
public final class Unpickler {

  private static final int HIGHEST_PROTOCOL = 5;
  private static final Pattern DECIMAL = Pattern.compile("[+-]?[0-9]+");
  private static final Pattern FLOAT =
      Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  private final MemorySegment data;
  private final long end;
  private final PersistentLoader loader;
  private final PickleLimits limits;
  private final Calls calls;

  private long pos;
  private long opStart;
  private int protocol;
  private final ArrayList<Object> stack = new ArrayList<>();
  private int[] marks = new int[16];
  private int markCount;
  private final Map<Long, Object> memo = new HashMap<>();

  /**
   * @param data the bytes holding the pickle
   * @param start where the pickle starts in {@code data}
   * @param loader what persistent ids stand for
   * @param limits the bounds of this pickle
   */
  public Unpickler(MemorySegment data, long start, PersistentLoader loader, PickleLimits limits) {
    this.data = data;
    this.pos = start;
    this.end = data.byteSize();
    this.loader = loader;
    this.limits = limits;
    this.calls = new Calls(limits);
    if (start < 0 || start > end) {
      throw new IllegalArgumentException("start " + start + " outside 0.." + end);
    }
  }

  /** An unpickler of a whole byte array, refusing persistent ids, with the default limits. */
  public static Object loads(byte[] pickle) throws BadFormatException {
    return new Unpickler(MemorySegment.ofArray(pickle), 0, PersistentLoader.NONE, PickleLimits.DEFAULTS).load();
  }

  /** Where reading stopped: just past the {@code STOP} opcode after {@link #load()}. */
  public long position() {
    return pos;
  }

  /**
   * Reads one pickle, up to and including its {@code STOP}.
   *
   * @return its value
   * @throws BadFormatException for a malformed, truncated or forbidden pickle; the message gives the
   *     byte offset of the opcode
   */
  public Object load() throws BadFormatException {
    long start = pos;
    try {
      while (true) {
        opStart = pos;
        if (pos - start > limits.maxPickleBytes()) {
          throw new BadFormatException("pickle larger than the limit of " + limits.maxPickleBytes() + " bytes");
        }
        int op = u8();
        if (op == '.') {
          if (markCount != 0 || stack.size() != 1) {
            throw new BadFormatException("STOP with " + stack.size() + " values and " + markCount + " marks on the stack");
          }
          return stack.removeLast();
        }
        step(op);
      }
    } catch (BadFormatException e) {
      throw new BadFormatException("pickle byte " + opStart + ": " + e.getMessage());
    }
  }

  private void step(int op) throws BadFormatException {
    switch (op) {
      // ---- framing and protocol
      case 0x80 -> { // PROTO
        protocol = u8();
        if (protocol > HIGHEST_PROTOCOL) {
          throw new BadFormatException("unsupported pickle protocol " + protocol);
        }
      }
      case 0x95 -> { // FRAME: an optimisation of the writer; the length only has to fit
        long n = u64();
        if (n < 0 || n > end - pos) {
          throw new BadFormatException("frame of " + Long.toUnsignedString(n) + " bytes exceeds the " + (end - pos) + " bytes left");
        }
      }
      // ---- stack manipulation
      case '(' -> pushMark();
      case '0' -> { // POP: the top value or, on an empty frame, the mark
        if (stack.size() > markBase()) {
          stack.removeLast();
        } else if (markCount > 0) {
          popMark();
        } else {
          throw new BadFormatException("POP on an empty stack");
        }
      }
      case '1' -> popMark(); // POP_MARK
      case '2' -> push(peek()); // DUP
      // ---- None, bools, ints, floats
      case 'N' -> push(null);
      case 0x88 -> push(Boolean.TRUE);
      case 0x89 -> push(Boolean.FALSE);
      case 'I' -> { // INT, text; "00"/"01" are protocol-0 bools
        String line = asciiLine();
        switch (line) {
          case "00" -> push(Boolean.FALSE);
          case "01" -> push(Boolean.TRUE);
          default -> push(decimal(line));
        }
      }
      case 'J' -> push((long) s32()); // BININT
      case 'K' -> push((long) u8()); // BININT1
      case 'M' -> push((long) u16()); // BININT2
      case 'L' -> { // LONG, text with an optional trailing L
        String line = asciiLine();
        push(decimal(line.endsWith("L") ? line.substring(0, line.length() - 1) : line));
      }
      case 0x8a -> push(binaryLong(u8())); // LONG1
      case 0x8b -> { // LONG4
        int n = s32();
        if (n < 0) {
          throw new BadFormatException("LONG4 with a negative length");
        }
        push(binaryLong(n));
      }
      case 'F' -> push(textFloat(asciiLine())); // FLOAT
      case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
      // ---- strings and bytes
      case 'S' -> push(utf8(escapeDecode(asciiLine()))); // STRING
      case 'T' -> push(utf8(bytes(s32Length()))); // BINSTRING
      case 'U' -> push(utf8(bytes(u8()))); // SHORT_BINSTRING
      case 'V' -> push(rawUnicodeEscape(line())); // UNICODE
      case 'X' -> push(utf8(bytes(u32()))); // BINUNICODE
      case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
      case 0x8d -> push(utf8(bytes(u64()))); // BINUNICODE8
      case 'B' -> push(new Bytes(bytes(u32()))); // BINBYTES
      case 'C' -> push(new Bytes(bytes(u8()))); // SHORT_BINBYTES
      case 0x8e, 0x96 -> push(new Bytes(bytes(u64()))); // BINBYTES8, BYTEARRAY8
      case 0x97 -> throw new BadFormatException("NEXT_BUFFER: out-of-band buffers are not supported");
      case 0x98 -> { // READONLY_BUFFER
        if (!(peek() instanceof Bytes)) {
          throw new BadFormatException("READONLY_BUFFER on a " + Values.typeName(peek()));
        }
      }
      // ---- tuples
      case ')' -> push(Tuple.EMPTY);
      case 't' -> push(tuple(popMark()));
      case 0x85 -> push(tuple(java.util.Collections.singletonList(pop())));
      case 0x86 -> {
        Object b = pop();
        Object a = pop();
        push(tuple(Arrays.asList(a, b)));
      }
      case 0x87 -> {
        Object c = pop();
        Object b = pop();
        Object a = pop();
        push(tuple(Arrays.asList(a, b, c)));
      }
      // ---- lists
      case ']' -> push(new PickleList());
      case 'l' -> { // LIST
        List<Object> items = popMark();
        PickleList list = new PickleList();
        for (Object item : items) {
          calls.append(list, item);
        }
        push(list);
      }
      case 'a' -> { // APPEND
        Object item = pop();
        calls.append(list(peek(), "APPEND"), item);
      }
      case 'e' -> { // APPENDS
        List<Object> items = popMark();
        PickleList list = list(peek(), "APPENDS");
        for (Object item : items) {
          calls.append(list, item);
        }
      }
      // ---- dicts
      case '}' -> push(new PickleDict());
      case 'd' -> { // DICT
        List<Object> items = popMark();
        PickleDict dict = new PickleDict();
        setItems(dict, items);
        push(dict);
      }
      case 's' -> { // SETITEM
        Object value = pop();
        Object key = pop();
        calls.put(dict(peek(), "SETITEM"), key, value);
      }
      case 'u' -> { // SETITEMS
        List<Object> items = popMark();
        setItems(dict(peek(), "SETITEMS"), items);
      }
      // ---- sets
      case 0x8f -> push(new PickleSet()); // EMPTY_SET
      case 0x90 -> { // ADDITEMS
        List<Object> items = popMark();
        if (!(peek() instanceof PickleSet set) || set.frozen()) {
          throw new BadFormatException("ADDITEMS on a " + Values.typeName(peek()));
        }
        for (Object item : items) {
          calls.add(set, item);
        }
      }
      case 0x91 -> { // FROZENSET
        List<Object> items = popMark();
        PickleSet set = new PickleSet();
        for (Object item : items) {
          calls.add(set, item);
        }
        set.freeze();
        push(set);
      }
      // ---- globals and objects
      case 'c' -> { // GLOBAL
        String module = utf8Line();
        String name = utf8Line();
        push(global(module, name));
      }
      case 0x93 -> { // STACK_GLOBAL
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
          throw new BadFormatException("STACK_GLOBAL of a " + Values.typeName(module) + " and a " + Values.typeName(name) + ", expected two str");
        }
        push(global(m, n));
      }
      case 'R' -> { // REDUCE
        Object args = pop();
        Object callable = pop();
        push(checked(calls.call(callable, tupleArg(args, "REDUCE"), null, "REDUCE")));
      }
      case 0x81 -> { // NEWOBJ
        Object args = pop();
        Object cls = pop();
        push(checked(calls.call(cls, tupleArg(args, "NEWOBJ"), null, "NEWOBJ")));
      }
      case 0x92 -> { // NEWOBJ_EX
        Object kwargs = pop();
        Object args = pop();
        Object cls = pop();
        if (!(kwargs instanceof PickleDict kw)) {
          throw new BadFormatException("NEWOBJ_EX keyword arguments are a " + Values.typeName(kwargs));
        }
        push(checked(calls.call(cls, tupleArg(args, "NEWOBJ_EX"), kw, "NEWOBJ_EX")));
      }
      case 'i' -> { // INST
        String module = utf8Line();
        String name = utf8Line();
        PickleGlobal cls = global(module, name);
        push(checked(calls.call(cls, tuple(popMark()), null, "INST")));
      }
      case 'o' -> { // OBJ
        List<Object> items = popMark();
        if (items.isEmpty()) {
          throw new BadFormatException("OBJ without a class");
        }
        push(checked(calls.call(items.getFirst(), tuple(items.subList(1, items.size())), null, "OBJ")));
      }
      case 'b' -> build(pop(), peek()); // BUILD
      case 0x82, 0x83, 0x84 -> throw new BadFormatException("extension registry codes (EXT1/EXT2/EXT4) are not supported");
      // ---- persistent ids
      case 'P' -> push(loader.load(utf8Line())); // PERSID
      case 'Q' -> push(loader.load(pop())); // BINPERSID
      // ---- memo
      case 'g' -> push(get(memoIndex(asciiLine()))); // GET
      case 'h' -> push(get(u8())); // BINGET
      case 'j' -> push(get(u32())); // LONG_BINGET
      case 'p' -> put(memoIndex(asciiLine())); // PUT
      case 'q' -> put(u8()); // BINPUT
      case 'r' -> put(u32()); // LONG_BINPUT
      case 0x94 -> put(memo.size()); // MEMOIZE
      default -> throw new BadFormatException(String.format("unknown opcode 0x%02x", op));
    }
  }

  // ------------------------------------------------------------------ stack

  private int markBase() {
    return markCount == 0 ? 0 : marks[markCount - 1];
  }

  private void push(Object v) throws BadFormatException {
    if (stack.size() >= limits.maxStack()) {
      throw new BadFormatException("more than " + limits.maxStack() + " values on the stack");
    }
    stack.add(v);
  }

  private Object pop() throws BadFormatException {
    if (stack.size() <= markBase()) {
      throw new BadFormatException("stack underflow");
    }
    return stack.removeLast();
  }

  private Object peek() throws BadFormatException {
    if (stack.size() <= markBase()) {
      throw new BadFormatException("stack underflow");
    }
    return stack.getLast();
  }

  private void pushMark() throws BadFormatException {
    if (markCount >= limits.maxMarks()) {
      throw new BadFormatException("more than " + limits.maxMarks() + " nested MARKs");
    }
    if (markCount == marks.length) {
      marks = Arrays.copyOf(marks, marks.length * 2);
    }
    marks[markCount++] = stack.size();
  }

  /** Pops the values above the innermost mark, and the mark. */
  private List<Object> popMark() throws BadFormatException {
    if (markCount == 0) {
      throw new BadFormatException("no MARK on the stack");
    }
    int base = marks[--markCount];
    List<Object> top = stack.subList(base, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }

  // ------------------------------------------------------------------ values

  private Tuple tuple(List<Object> items) throws BadFormatException {
    Tuple t = new Tuple(items);
    calls.checkDepth(t.depth());
    return t;
  }

  private Object checked(Object v) throws BadFormatException {
    calls.checkDepth(Values.depth(v));
    return v;
  }

  private static Tuple tupleArg(Object args, String opcode) throws BadFormatException {
    if (!(args instanceof Tuple t)) {
      throw new BadFormatException(opcode + " arguments are a " + Values.typeName(args) + ", expected a tuple");
    }
    return t;
  }

  private static PickleList list(Object v, String opcode) throws BadFormatException {
    if (!(v instanceof PickleList l)) {
      throw new BadFormatException(opcode + " on a " + Values.typeName(v));
    }
    return l;
  }

  private static PickleDict dict(Object v, String opcode) throws BadFormatException {
    if (!(v instanceof PickleDict d)) {
      throw new BadFormatException(opcode + " on a " + Values.typeName(v));
    }
    return d;
  }

  private void setItems(PickleDict dict, List<Object> items) throws BadFormatException {
    if (items.size() % 2 != 0) {
      throw new BadFormatException("odd number of values (" + items.size() + ") for dict items");
    }
    for (int i = 0; i < items.size(); i += 2) {
      calls.put(dict, items.get(i), items.get(i + 1));
    }
  }

  private PickleGlobal global(String module, String name) throws BadFormatException {
    String m = protocol < 3 && module.equals("__builtin__") ? "builtins" : module;
    if (AllowList.lookup(m, name).isEmpty()) {
      throw new BadFormatException("forbidden global '" + m + "." + name + "': a checkpoint may only name the globals a "
          + "PyTorch state dict needs; nothing is imported or called");
    }
    return new PickleGlobal(m, name);
  }

  /** BUILD: an OrderedDict's attributes (a state dict's {@code _metadata}) are dropped; an instance keeps its state. */
  private void build(Object state, Object target) throws BadFormatException {
    switch (target) {
      case Instance i -> {
        i.setState(state);
        calls.checkDepth(i.depth());
      }
      case PickleDict _ when state instanceof PickleDict || state instanceof Tuple -> {
        // Python would set attributes on the OrderedDict; none of them are tensors.
      }
      case null, default -> throw new BadFormatException("BUILD on a " + Values.typeName(target) + " with a " + Values.typeName(state));
    }
  }

  private Object get(long index) throws BadFormatException {
    Object v = memo.get(index);
    if (v == null && !memo.containsKey(index)) {
      throw new BadFormatException("memo key " + index + " not defined");
    }
    return v;
  }

  private void put(long index) throws BadFormatException {
    Object v = peek();
    if (memo.size() >= limits.maxMemo() && !memo.containsKey(index)) {
      throw new BadFormatException("more than " + limits.maxMemo() + " memo entries");
    }
    memo.put(index, v);
  }

  private long memoIndex(String line) throws BadFormatException {
    if (!line.matches("[0-9]{1,18}")) {
      throw new BadFormatException("bad memo index '" + abbreviate(line) + "'");
    }
    return Long.parseLong(line);
  }

  private Object decimal(String text) throws BadFormatException {
    String t = text.strip();
    if (!DECIMAL.matcher(t).matches()) {
      throw new BadFormatException("bad integer '" + abbreviate(text) + "'");
    }
    if (t.length() > limits.maxIntDigits() + 1) {
      throw new BadFormatException("integer of more than " + limits.maxIntDigits() + " digits");
    }
    return Values.integer(new BigInteger(t));
  }

  private Object binaryLong(int n) throws BadFormatException {
    if (n > limits.maxLongBytes()) {
      throw new BadFormatException("integer of " + n + " bytes exceeds the limit of " + limits.maxLongBytes());
    }
    if (n == 0) {
      return 0L;
    }
    byte[] le = bytes(n);
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = le[n - 1 - i];
    }
    return Values.integer(new BigInteger(be));
  }

  private static double textFloat(String text) throws BadFormatException {
    String t = text.strip();
    String lower = t.toLowerCase(java.util.Locale.ROOT);
    String unsigned = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
    boolean negative = lower.startsWith("-");
    if (unsigned.equals("nan")) {
      return Double.NaN;
    }
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (t.length() > 400 || !FLOAT.matcher(t).matches()) {
      throw new BadFormatException("bad float '" + abbreviate(text) + "'");
    }
    return Double.parseDouble(t);
  }

  // ------------------------------------------------------------------ input

  private void need(long n) throws BadFormatException {
    if (n < 0 || n > end - pos) {
      throw new BadFormatException("truncated pickle: " + (n < 0 ? Long.toUnsignedString(n) : n)
          + " bytes needed, " + (end - pos) + " left");
    }
  }

  private int u8() throws BadFormatException {
    need(1);
    return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, pos++));
  }

  private int u16() throws BadFormatException {
    need(2);
    int v = Short.toUnsignedInt(data.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos));
    pos += 2;
    return v;
  }

  private int s32() throws BadFormatException {
    need(4);
    int v = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
    pos += 4;
    return v;
  }

  private long u32() throws BadFormatException {
    return Integer.toUnsignedLong(s32());
  }

  private int s32Length() throws BadFormatException {
    int n = s32();
    if (n < 0) {
      throw new BadFormatException("negative length " + n);
    }
    return n;
  }

  /** An 8-byte unsigned length; values past {@code Long.MAX_VALUE} come back negative and fail {@link #need}. */
  private long u64() throws BadFormatException {
    need(8);
    long v = data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
    pos += 8;
    return v;
  }

  private byte[] bytes(long n) throws BadFormatException {
    need(n);
    if (n > Integer.MAX_VALUE - 8) {
      throw new BadFormatException("string of " + n + " bytes is too large");
    }
    byte[] out = data.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
    pos += n;
    return out;
  }

  /** The bytes up to the next newline, which is consumed. */
  private byte[] line() throws BadFormatException {
    long i = pos;
    while (i < end && data.get(ValueLayout.JAVA_BYTE, i) != '\n') {
      i++;
    }
    if (i == end) {
      throw new BadFormatException("truncated pickle: no newline after a text argument");
    }
    byte[] out = bytes(i - pos);
    pos++;
    return out;
  }

  private String asciiLine() throws BadFormatException {
    return new String(line(), StandardCharsets.ISO_8859_1);
  }

  private String utf8Line() throws BadFormatException {
    return utf8(line());
  }

  private static String utf8(byte[] b) throws BadFormatException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadFormatException("string is not valid UTF-8");
    }
  }

  /** A protocol-0 {@code STRING} argument: a quoted Python literal with backslash escapes. */
  private static byte[] escapeDecode(String quoted) throws BadFormatException {
    if (quoted.length() < 2 || quoted.charAt(0) != quoted.charAt(quoted.length() - 1)
        || (quoted.charAt(0) != '\'' && quoted.charAt(0) != '"')) {
      throw new BadFormatException("STRING argument is not a quoted string");
    }
    String s = quoted.substring(1, quoted.length() - 1);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        out.write(c);
        continue;
      }
      if (++i == s.length()) {
        throw new BadFormatException("STRING argument ends with a backslash");
      }
      char e = s.charAt(i);
      switch (e) {
        case '\n' -> {}
        case '\\', '\'', '"' -> out.write(e);
        case 'a' -> out.write(7);
        case 'b' -> out.write(8);
        case 'f' -> out.write(12);
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case 'v' -> out.write(11);
        case 'x' -> {
          out.write(hex(s, i + 1, 2));
          i += 2;
        }
        default -> {
          if (e >= '0' && e <= '7') {
            int v = 0;
            int j = i;
            while (j < s.length() && j < i + 3 && s.charAt(j) >= '0' && s.charAt(j) <= '7') {
              v = v * 8 + (s.charAt(j) - '0');
              j++;
            }
            out.write(v & 0xFF);
            i = j - 1;
          } else {
            out.write('\\');
            out.write(e);
          }
        }
      }
    }
    return out.toByteArray();
  }

  /** A protocol-0 {@code UNICODE} argument: latin-1 with {@code \\uXXXX} and {@code \\UXXXXXXXX} escapes. */
  private static String rawUnicodeEscape(byte[] line) throws BadFormatException {
    String s = new String(line, StandardCharsets.ISO_8859_1);
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')) {
        int digits = s.charAt(i + 1) == 'u' ? 4 : 8;
        int cp = hex(s, i + 2, digits);
        if (!Character.isValidCodePoint(cp)) {
          throw new BadFormatException("\\U escape beyond Unicode");
        }
        out.appendCodePoint(cp);
        i += 1 + digits;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static int hex(String s, int from, int digits) throws BadFormatException {
    if (from + digits > s.length()) {
      throw new BadFormatException("truncated escape");
    }
    long v = 0;
    for (int i = from; i < from + digits; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        throw new BadFormatException("bad hex digit in an escape");
      }
      v = v * 16 + d;
    }
    return v > Integer.MAX_VALUE ? -1 : (int) v;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
