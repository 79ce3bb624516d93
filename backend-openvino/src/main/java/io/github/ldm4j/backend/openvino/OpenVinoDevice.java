package io.github.ldm4j.backend.openvino;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An OpenVINO device name: {@code CPU}, {@code GPU} (the first GPU), {@code GPU.n}, {@code NPU},
 * {@code AUTO} (OpenVINO picks) or {@code AUTO:d1,d2,…} (OpenVINO picks in this priority order,
 * falling back to the next device when one cannot compile the model). Parsed case-insensitively.
 *
 * @param name the canonical name passed to {@code ov_core_compile_model}
 */
public record OpenVinoDevice(String name) {

  /** The valid forms, for messages. */
  public static final String VALID = "expected CPU, GPU, GPU.<n>, NPU, AUTO or AUTO:<device>,<device>,...";

  private static final Pattern SINGLE = Pattern.compile("CPU|GPU(\\.\\d+)?|NPU");

  /** The CPU. */
  public static final OpenVinoDevice CPU = new OpenVinoDevice("CPU");

  /** Validates (see {@link #parse}). */
  public OpenVinoDevice {
    if (name == null || !valid(name)) {
      throw new IllegalArgumentException("unsupported OpenVINO device '" + name + "'; " + VALID);
    }
  }

  private static boolean valid(String n) {
    if (SINGLE.matcher(n).matches() || n.equals("AUTO")) {
      return true;
    }
    if (n.startsWith("AUTO:")) {
      String[] parts = n.substring(5).split(",", -1);
      for (String p : parts) {
        if (!SINGLE.matcher(p).matches()) {
          return false;
        }
      }
      return parts.length > 0;
    }
    return false;
  }

  /**
   * Parses a device string case-insensitively, e.g. {@code cpu}, {@code gpu.1}, {@code auto:gpu,cpu}.
   *
   * @throws IllegalArgumentException for anything else, listing the valid forms
   */
  public static OpenVinoDevice parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("OpenVINO device must not be blank; " + VALID);
    }
    return new OpenVinoDevice(spec.strip().toUpperCase(Locale.ROOT).replace(" ", ""));
  }

  /** Whether this is {@code AUTO} or {@code AUTO:…}. */
  public boolean isAuto() {
    return name.equals("AUTO") || name.startsWith("AUTO:");
  }

  /** The single devices named: this one, or the priority list of {@code AUTO:…} (empty for plain AUTO). */
  public List<String> candidates() {
    if (name.equals("AUTO")) {
      return List.of();
    }
    return isAuto() ? List.of(name.substring(5).split(",")) : List.of(name);
  }

  /** This device with the CPU as a fallback: {@code AUTO:<this>,CPU} (unchanged for CPU and AUTO). */
  public OpenVinoDevice withCpuFallback() {
    if (isAuto() || name.equals("CPU")) {
      return this;
    }
    return new OpenVinoDevice("AUTO:" + name + ",CPU");
  }

  /**
   * Checks that OpenVINO can use this device here.
   *
   * @param available what {@code ov_core_get_available_devices} reports ({@code CPU}, {@code GPU.0}, …)
   * @throws IllegalArgumentException naming the device and what is available
   */
  public void requireAvailable(List<String> available) {
    if (available.isEmpty()) {
      throw new IllegalStateException("OpenVINO reports no devices at all (are its plugins installed beside libopenvino.so?)");
    }
    List<String> missing = new ArrayList<>();
    for (String c : candidates()) {
      if (available.stream().noneMatch(a -> a.equals(c) || a.startsWith(c + ".") || (a + ".0").equals(c))) {
        missing.add(c);
      }
    }
    boolean ok = isAuto() ? missing.size() < candidates().size() || candidates().isEmpty() : missing.isEmpty();
    if (!ok) {
      throw new IllegalArgumentException("OpenVINO device " + name + " is not available here; OpenVINO reports "
          + available + ". Install the device's driver and OpenVINO plugin, choose one of those devices, or AUTO");
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
