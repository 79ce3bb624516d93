package io.github.ldm4j.backend.conformance;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Resident memory of this process for leak checks, on Linux. {@link #residentOutsideJavaHeap()} is
 * VmRSS without the pages of the Java heap (summed from {@code /proc/self/smaps}, the heap's
 * address range from the {@code GC.heap_info} diagnostic command): the Java heap's resident size
 * swings by hundreds of MiB with G1's lazy uncommit, which would drown native growth.
 * {@link #mallocInUse()} is glibc's count of allocated bytes ({@code mallinfo2}), where available.
 */
final class NativeMemory {

  private static final Path SMAPS = Path.of("/proc/self/smaps");
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Pattern HEAP_RANGE = Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");
  private static final Pattern MAPPING = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) .*");

  private NativeMemory() {}

  /** Whether {@code /proc/self/smaps} and {@code status} can be read. */
  static boolean available() {
    return Files.isReadable(SMAPS) && Files.isReadable(STATUS);
  }

  /** Collects garbage (so that unreachable off-heap tensors are freed) and lets the collector settle. */
  static void settle() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
    }
  }

  /** VmRSS from {@code /proc/self/status}, in bytes. */
  static long vmRss() throws IOException {
    for (String line : Files.readAllLines(STATUS)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
      }
    }
    throw new IOException("no VmRSS in " + STATUS);
  }

  /** Resident bytes outside the Java heap; VmRSS when the heap's range is unknown. */
  static long residentOutsideJavaHeap() throws IOException {
    Optional<long[]> heap = javaHeapRange();
    if (heap.isEmpty()) {
      return vmRss();
    }
    long lo = heap.get()[0];
    long hi = heap.get()[1];
    long kb = 0;
    boolean inHeap = false;
    List<String> lines = Files.readAllLines(SMAPS);
    for (String line : lines) {
      Matcher m = MAPPING.matcher(line);
      if (m.matches()) {
        long start = Long.parseUnsignedLong(m.group(1), 16);
        inHeap = Long.compareUnsigned(start, lo) >= 0 && Long.compareUnsigned(start, hi) < 0;
      } else if (line.startsWith("Rss:") && !inHeap) {
        kb += Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
      }
    }
    return kb * 1024;
  }

  /** The Java heap's reserved address range [lo, hi), from {@code GC.heap_info}. */
  private static Optional<long[]> javaHeapRange() {
    try {
      Object info = ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      Matcher m = HEAP_RANGE.matcher(String.valueOf(info));
      if (m.find()) {
        return Optional.of(new long[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)});
      }
    } catch (JMException | RuntimeException e) {
      // no diagnostic command here: fall back to VmRSS
    }
    return Optional.empty();
  }

  /** Bytes glibc's allocator has handed out and not got back ({@code uordblks + hblkhd}), if glibc. */
  static OptionalLong mallocInUse() {
    MethodHandle h = Mallinfo.HANDLE;
    if (h == null) {
      return OptionalLong.empty();
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = (MemorySegment) h.invokeExact((SegmentAllocator) arena);
      long hblkhd = info.getAtIndex(ValueLayout.JAVA_LONG, 4);
      long uordblks = info.getAtIndex(ValueLayout.JAVA_LONG, 7);
      return OptionalLong.of(hblkhd + uordblks);
    } catch (Throwable t) {
      return OptionalLong.empty();
    }
  }

  /** {@code struct mallinfo2 mallinfo2(void)}: ten {@code size_t} fields. */
  private static final class Mallinfo {
    static final MethodHandle HANDLE = lookup();

    @SuppressWarnings("restricted") // the test JVM runs with --enable-native-access
    private static MethodHandle lookup() {
      try {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("mallinfo2")
            .map(f -> linker.downcallHandle(f, FunctionDescriptor.of(
                MemoryLayout.structLayout(MemoryLayout.sequenceLayout(10, ValueLayout.JAVA_LONG)))))
            .orElse(null);
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
