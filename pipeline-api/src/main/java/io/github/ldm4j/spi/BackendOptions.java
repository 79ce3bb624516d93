package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Backend-neutral options for opening a model.
 *
 * @param device device / execution provider of every network without its own placement, e.g.
 *     {@code cpu}, {@code cuda:0}, {@code GPU}
 * @param intraOpThreads threads inside one operator; 0 lets the runtime decide
 * @param interOpThreads threads across operators; 0 lets the runtime decide
 * @param allowCpuFallback whether to fall back to the CPU when the device cannot run a component
 * @param placement per-component backend and device, overriding the model's backend and {@link
 *     #device()} (e.g. the UNet on {@code onnx:cuda:0}, the text encoder and VAE on {@code
 *     openvino:CPU})
 */
public record BackendOptions(
    String device, int intraOpThreads, int interOpThreads, boolean allowCpuFallback,
    Map<ModelComponent, Placement> placement) {

  /** CPU, runtime-chosen threads, no fallback needed, every network on the model's backend. */
  public static final BackendOptions DEFAULTS = new BackendOptions("cpu", 0, 0, false, Map.of());

  /** Validates and copies. */
  public BackendOptions {
    Objects.requireNonNull(device, "device");
    if (device.isBlank()) {
      throw new IllegalArgumentException("device must not be blank");
    }
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be >= 0 (0 = runtime default), got intra=" + intraOpThreads + ", inter=" + interOpThreads);
    }
    Objects.requireNonNull(placement, "placement");
    placement = placement.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(placement));
  }

  /** Options without per-component placement. */
  public BackendOptions(String device, int intraOpThreads, int interOpThreads, boolean allowCpuFallback) {
    this(device, intraOpThreads, interOpThreads, allowCpuFallback, Map.of());
  }

  /** Where {@code component} runs when the model's backend is {@code backend}. */
  public Placement placementFor(ModelComponent component, String backend) {
    Placement p = placement.get(component);
    return p != null ? p : new Placement(backend, device);
  }

  /** A copy with {@code component} placed on {@code where}. */
  public BackendOptions withPlacement(ModelComponent component, Placement where) {
    Map<ModelComponent, Placement> m = new EnumMap<>(ModelComponent.class);
    m.putAll(placement);
    m.put(Objects.requireNonNull(component, "component"), Objects.requireNonNull(where, "where"));
    return new BackendOptions(device, intraOpThreads, interOpThreads, allowCpuFallback, m);
  }
}
