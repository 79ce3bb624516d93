package io.github.ldm4j.spi;

import java.util.Objects;

/**
 * Where one network runs: a backend by name and a device of that backend ({@code onnx} on {@code
 * cuda:0}, {@code openvino} on {@code GPU}).
 *
 * @param backend a registered backend name
 * @param device a device name of that backend
 */
public record Placement(String backend, String device) {

  /** Validates. */
  public Placement {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(device, "device");
    if (backend.isBlank() || device.isBlank()) {
      throw new IllegalArgumentException("placement needs a backend and a device, got '" + backend + ":" + device + "'");
    }
  }

  /**
   * Parses {@code BACKEND[:DEVICE]} ({@code onnx}, {@code onnx:cuda:0}, {@code openvino:GPU}); a
   * missing device is {@code defaultDevice}.
   *
   * @throws IllegalArgumentException for a blank backend or device
   */
  public static Placement parse(String text, String defaultDevice) {
    Objects.requireNonNull(text, "text");
    String t = text.strip();
    int colon = t.indexOf(':');
    return colon < 0 ? new Placement(t, defaultDevice) : new Placement(t.substring(0, colon), t.substring(colon + 1));
  }

  @Override
  public String toString() {
    return backend + ":" + device;
  }
}
