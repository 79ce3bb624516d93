package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import java.util.EnumMap;
import java.util.Map;
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

  /**
   * Per-component placements from text, as configuration gives them: component folder name ({@code
   * unet}, {@code text_encoder}, {@code vae_decoder}, {@code vae_encoder}) → {@code
   * BACKEND[:DEVICE]} ({@link #parse}).
   *
   * @throws IllegalArgumentException naming an unknown component or a blank placement
   */
  public static Map<ModelComponent, Placement> parseEach(Map<String, String> byComponent, String defaultDevice) {
    Map<ModelComponent, Placement> out = new EnumMap<>(ModelComponent.class);
    byComponent.forEach((k, v) -> out.put(ModelComponent.fromFolderName(k), parse(v, defaultDevice)));
    return out;
  }

  @Override
  public String toString() {
    return backend + ":" + device;
  }
}
