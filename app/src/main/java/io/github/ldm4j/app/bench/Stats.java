package io.github.ldm4j.app.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Small helpers for the bench reports: order statistics and process figures from {@code /proc}. */
final class Stats {

  private Stats() {}

  static double min(double[] xs) {
    return Arrays.stream(xs).min().orElseThrow();
  }

  /** The median (mean of the middle two for an even count). */
  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** {@code VmHWM} (peak resident set) of this process in MiB, or −1 where {@code /proc} is missing. */
  static double peakRssMiB() {
    return procStatusKiB("VmHWM:") / 1024.0;
  }

  /** {@code VmRSS} (current resident set) of this process in MiB, or −1 where {@code /proc} is missing. */
  static double rssMiB() {
    return procStatusKiB("VmRSS:") / 1024.0;
  }

  private static long procStatusKiB(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1024;
    }
    return -1024;
  }

  /** The three load averages from {@code /proc/loadavg}, or "?" where it is missing. */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  /** CPU time of the whole process (all threads), in nanoseconds. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  static String s(double nanos) {
    return String.format("%.4f s", nanos / 1e9);
  }
}
