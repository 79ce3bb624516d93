package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a backend is asked to open: some networks of a model folder, each on a device of that
 * backend.
 *
 * @param folder the model folder
 * @param devices the components to open, each with its device
 * @param options threads and fallback (the placement in it has already been resolved into {@code devices})
 * @param replaced initializers whose values replace the file's when a component's session is created
 *     (only for backends that {@link BackendProvider#replacesInitializers() can}); empty for most requests
 */
public record NetworkRequest(ModelFolder folder, Map<ModelComponent, String> devices, BackendOptions options,
    Map<ModelComponent, List<ReplacedInitializer>> replaced) {

  /** Validates and copies. */
  public NetworkRequest {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(options, "options");
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("a network request needs at least one component");
    }
    devices = Map.copyOf(new EnumMap<>(devices));
    Map<ModelComponent, List<ReplacedInitializer>> r = new EnumMap<>(ModelComponent.class);
    for (Map.Entry<ModelComponent, List<ReplacedInitializer>> e : replaced.entrySet()) {
      if (!devices.containsKey(e.getKey())) {
        throw new IllegalArgumentException(
            "initializers of " + e.getKey().folderName() + " are replaced, but it is not requested");
      }
      if (!e.getValue().isEmpty()) {
        r.put(e.getKey(), List.copyOf(e.getValue()));
      }
    }
    replaced = Map.copyOf(r);
  }

  /** Without replaced initializers. */
  public NetworkRequest(ModelFolder folder, Map<ModelComponent, String> devices, BackendOptions options) {
    this(folder, devices, options, Map.of());
  }

  /** The initializers replaced in {@code component}'s network (empty for none). */
  public List<ReplacedInitializer> replaced(ModelComponent component) {
    return replaced.getOrDefault(component, List.of());
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
