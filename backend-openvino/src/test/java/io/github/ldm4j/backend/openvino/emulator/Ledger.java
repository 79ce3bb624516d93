package io.github.ldm4j.backend.openvino.emulator;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 */
final class Ledger {

  record Entry(String kind, Object value) {}

  private final Arena arena;
  private final Map<Long, Entry> live = new ConcurrentHashMap<>();
  private final Map<Long, String> freed = new ConcurrentHashMap<>();
  private final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong allocations = new AtomicLong();
  private final AtomicLong frees = new AtomicLong();

  Ledger(Arena arena) {
    this.arena = arena;
  }

  /** A fresh 16-byte block standing for {@code value}. */
  MemorySegment register(Object value, String kind) {
    MemorySegment block = arena.allocate(16, 16);
    track(block, value, kind);
    return block;
  }

  /** Tracks memory the emulator allocated itself (strings, arrays). */
  void track(MemorySegment memory, Object value, String kind) {
    live.put(memory.address(), new Entry(kind, value));
    allocations.incrementAndGet();
  }

  /** A NUL-terminated copy of {@code s}, tracked as {@code char*} (freed with {@code ov_free}). */
  MemorySegment string(String s) {
    MemorySegment m = arena.allocateFrom(s);
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
    return e.value();
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
