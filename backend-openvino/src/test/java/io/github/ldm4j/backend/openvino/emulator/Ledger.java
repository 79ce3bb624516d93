package io.github.ldm4j.backend.openvino.emulator;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulator's bookkeeping of everything it hands out: handles ({@code ov_core_t*}, …), strings
 * ({@code char*}) and arrays (the {@code dims} of shapes). Each lives at its own native address;
 * freeing checks the address is live and of the kind the free function takes. Leaks (live entries at
 * the end) and violations (double free, foreign pointer, wrong free function, use after free) are
 * reported by {@link #problems()}.
 *
 * <p>Blocks are {@code malloc}ed and really released with {@code free} once freed by the binding
 * (after a bounded quarantine of the last {@value #QUARANTINE} freed blocks, so that a recently
 * freed address is not reused at once and a double free or use after free of it is still caught).
 * Holding every block until the emulator closes would make a long-lived emulator grow by all the
 * strings, shapes and handles ever returned, and native-memory checks would then measure the
 * emulator instead of the binding.
 */
final class Ledger {

  record Entry(String kind, Object value) {}

  /** Freed blocks kept allocated (not yet returned to {@code malloc}) before release. */
  static final int QUARANTINE = 4096;

  private static final MethodHandle MALLOC;
  private static final MethodHandle FREE;

  static {
    Linker linker = Linker.nativeLinker();
    MALLOC = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(),
        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
  }

  private final ArrayDeque<MemorySegment> quarantine = new ArrayDeque<>();
  private final Map<Long, MemorySegment> blocks = new ConcurrentHashMap<>();
  private final Map<Long, Entry> live = new ConcurrentHashMap<>();
  private final Map<Long, String> freed = new ConcurrentHashMap<>();
  private final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong allocations = new AtomicLong();
  private final AtomicLong frees = new AtomicLong();

  Ledger() {}

  /** A fresh 16-byte block standing for {@code value}. */
  MemorySegment register(Object value, String kind) {
    MemorySegment block = allocate(16);
    track(block, value, kind);
    return block;
  }

  /**
   * {@code bytes} (at least 1) of fresh zeroed native memory, released when freed as the kind it is
   * {@link #track tracked} as, or when the ledger {@link #release closes}.
   */
  MemorySegment allocate(long bytes) {
    long n = Math.max(1, bytes);
    MemorySegment m;
    try {
      m = ((MemorySegment) MALLOC.invokeExact(n)).reinterpret(n);
    } catch (Throwable t) {
      throw new IllegalStateException("malloc(" + n + ")", t);
    }
    if (m.equals(MemorySegment.NULL)) {
      throw new OutOfMemoryError("malloc(" + n + ") returned NULL");
    }
    m.fill((byte) 0);
    blocks.put(m.address(), m);
    return m;
  }

  /** A fresh NUL-terminated UTF-8 copy of {@code s} (not yet tracked). */
  MemorySegment allocateFrom(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    MemorySegment m = allocate(b.length + 1L);
    MemorySegment.copy(b, 0, m, ValueLayout.JAVA_BYTE, 0, b.length);
    return m;
  }

  /** Tracks memory from {@link #allocate} (strings, arrays). */
  void track(MemorySegment memory, Object value, String kind) {
    freed.remove(memory.address());
    live.put(memory.address(), new Entry(kind, value));
    allocations.incrementAndGet();
  }

  /** A NUL-terminated copy of {@code s}, tracked as {@code char*} (freed with {@code ov_free}). */
  MemorySegment string(String s) {
    MemorySegment m = allocateFrom(s);
    track(m, s, "char*");
    return m;
  }

  /** The live object at {@code p} of {@code kind}; {@code null} when NULL, unknown or of another kind. */
  <T> T get(MemorySegment p, String kind, Class<T> type) {
    if (p.equals(MemorySegment.NULL)) {
      return null;
    }
    Entry e = live.get(p.address());
    if (e == null || !e.kind().equals(kind)) {
      String was = freed.get(p.address());
      violations.add((was != null ? "use after free of " + was : "foreign pointer used as " + kind)
          + " at 0x" + Long.toHexString(p.address()));
      return null;
    }
    return type.cast(e.value());
  }

  /** Frees {@code p} as {@code kind}; NULL is a no-op, as in OpenVINO. */
  Object free(MemorySegment p, String kind) {
    if (p.equals(MemorySegment.NULL)) {
      return null;
    }
    Entry e = live.get(p.address());
    if (e == null) {
      String was = freed.get(p.address());
      violations.add((was != null ? "double free of " + was : "free of a pointer the emulator never returned, as " + kind)
          + " at 0x" + Long.toHexString(p.address()));
      return null;
    }
    if (!e.kind().equals(kind)) {
      violations.add("a " + e.kind() + " freed with the free function of " + kind + " at 0x" + Long.toHexString(p.address()));
      return null;
    }
    live.remove(p.address());
    freed.put(p.address(), kind);
    frees.incrementAndGet();
    MemorySegment block = blocks.get(p.address());
    if (block != null) {
      MemorySegment evicted = null;
      synchronized (quarantine) {
        quarantine.addLast(block);
        if (quarantine.size() > QUARANTINE) {
          evicted = quarantine.removeFirst();
        }
      }
      if (evicted != null) {
        blocks.remove(evicted.address());
        freeNative(evicted);
      }
    }
    return e.value();
  }

  /** Returns every block, live (leaked) or quarantined, to {@code malloc}; the ledger's counts stay. */
  void release() {
    synchronized (quarantine) {
      quarantine.clear();
    }
    blocks.values().forEach(Ledger::freeNative);
    blocks.clear();
  }

  private static void freeNative(MemorySegment m) {
    try {
      FREE.invokeExact(m);
    } catch (Throwable t) {
      throw new IllegalStateException("free", t);
    }
  }

  void violation(String what) {
    violations.add(what);
  }

  long allocations() {
    return allocations.get();
  }

  long frees() {
    return frees.get();
  }

  /** Live entries by kind. */
  Map<String, Integer> leaks() {
    Map<String, Integer> byKind = new TreeMap<>();
    live.values().forEach(e -> byKind.merge(e.kind(), 1, Integer::sum));
    return byKind;
  }

  /** Leaks and violations, empty when clean. */
  List<String> problems() {
    List<String> out = new ArrayList<>();
    synchronized (violations) {
      out.addAll(violations);
    }
    leaks().forEach((k, n) -> out.add("leak: " + n + " x " + k + " never freed"));
    return out;
  }
}
