package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a backend is asked to open: some networks of a model folder, each on a device of that
 * backend.
 *
 * @param folder the model folder
 * @param devices the components to open, each with its device
 * @param options threads and fallback (the placement in it has already been resolved into {@code devices})
 * @param overrides weights replacing the files' own ({@link WeightOverrides#NONE} for none; owned by the
 *     caller, who keeps them open until the networks are closed); only for backends whose {@link
 *     BackendProvider#overridesWeights()} is true
 */
public record NetworkRequest(ModelFolder folder, Map<ModelComponent, String> devices, BackendOptions options,
    WeightOverrides overrides) {

  /** Validates and copies. */
  public NetworkRequest {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(overrides, "overrides");
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("a network request needs at least one component");
    }
    devices = Map.copyOf(new EnumMap<>(devices));
  }

  /** The networks' own weights. */
  public NetworkRequest(ModelFolder folder, Map<ModelComponent, String> devices, BackendOptions options) {
    this(folder, devices, options, WeightOverrides.NONE);
  }

  /** Every component of {@code folder} on {@code options.device()}. */
  public static NetworkRequest all(ModelFolder folder, BackendOptions options) {
    Map<ModelComponent, String> d = new EnumMap<>(ModelComponent.class);
    for (ModelComponent c : ModelComponent.values()) {
      if (folder.has(c)) {
        d.put(c, options.device());
      }
    }
    return new NetworkRequest(folder, d, options);
  }
}
