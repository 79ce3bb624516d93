package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.OvCore;
import io.github.ldm4j.backend.openvino.internal.OvModel;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.backend.openvino.internal.SharedCore;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Opens the networks of a model folder on OpenVINO: the optimum-intel IR layout ({@code
 * <component>/openvino_model.xml} + {@code .bin}) preferred per component, else the ONNX layout
 * (OpenVINO reads ONNX itself). The networks of one request share one {@code ov_core_t}. Everything
 * else about a model is assembled backend-neutrally by the {@code ldm4j-generate} module; use this
 * class directly only to open networks with OpenVINO-specific {@link OpenVinoOptions} (performance
 * and precision hints, compiled-blob cache, static shapes, request pools).
 */
public final class OpenVinoBackend {

  private OpenVinoBackend() {}

  /** The network formats this backend reads; IR is preferred where a component has both. */
  public static final EnumSet<ModelFolder.Format> FORMATS =
      EnumSet.of(ModelFolder.Format.OPENVINO_IR, ModelFolder.Format.ONNX);

  /**
   * Opens the requested networks with {@code runtime}, each on the device the request names (placed
   * over {@code options}). On any failure what was opened is freed.
   *
   * @throws IOException naming the file that is missing or that OpenVINO cannot read
   * @throws IllegalArgumentException for an unavailable or unknown device, or an invalid option
   */
  public static NetworkSet open(NetworkRequest request, OpenVinoOptions options, OpenVinoRuntime runtime)
      throws IOException {
    OpenVinoOptions placed = options;
    for (Map.Entry<ModelComponent, String> e : request.devices().entrySet()) {
      OpenVinoDevice d = OpenVinoDevice.parse(e.getValue());
      placed = placed.withPlacement(e.getKey(), request.options().allowCpuFallback() ? d.withCpuFallback() : d);
    }
    return open(request.folder(), request.devices().keySet(), placed, runtime);
  }

  private static NetworkSet open(ModelFolder folder, Set<ModelComponent> components, OpenVinoOptions options,
      OpenVinoRuntime runtime) throws IOException {
    SharedCore core = new SharedCore(OvCore.create(runtime.api()));
    try (core) {
      List<String> available = core.core().availableDevices();
      for (ModelComponent c : components) {
        options.deviceFor(c).requireAvailable(available);
      }
      return NetworkSet.openEach(components, c -> network(core, folder, c, options));
    }
  }

  /**
   * Every network of {@code modelDir} with the process-wide runtime ({@link OpenVinoRuntime#shared()})
   * and {@code options}.
   *
   * @throws IllegalStateException when OpenVINO is not installed (the message says how to install it)
   */
  public static NetworkSet open(Path modelDir, OpenVinoOptions options) throws IOException {
    ModelFolder folder = ModelFolder.open(modelDir, FORMATS);
    Set<ModelComponent> all = EnumSet.noneOf(ModelComponent.class);
    for (ModelComponent c : ModelComponent.values()) {
      if (folder.has(c)) {
        all.add(c);
      }
    }
    return open(folder, all, options, OpenVinoRuntime.shared());
  }

  /**
   * One network of {@code folder} as OpenVINO reads it (IR preferred over ONNX): its declared inputs
   * and outputs, without compiling anything. The model read is freed before this returns.
   *
   * @throws IOException naming the missing or unreadable file
   */
  public static NetworkDescription describe(ModelFolder folder, ModelComponent c, OpenVinoRuntime runtime)
      throws IOException {
    Path file = networkFile(folder, c);
    try (SharedCore core = new SharedCore(OvCore.create(runtime.api()));
        OvModel model = core.core().readModel(file, Optional.empty())) {
      return new NetworkDescription(c, file, List.copyOf(OvNetwork.contract(model.inputs()).values()),
          List.copyOf(OvNetwork.contract(model.outputs()).values()));
    } catch (OpenVinoException e) {
      throw new IOException("OpenVINO cannot read " + c.folderName() + " from " + file + ": " + e.getMessage(), e);
    }
  }

  /** The component's network file: {@code openvino_model.xml} when present, else {@code model.onnx}. */
  static Path networkFile(ModelFolder folder, ModelComponent c) throws NoSuchFileException {
    try {
      return folder.networkFile(c, EnumSet.of(ModelFolder.Format.OPENVINO_IR));
    } catch (NoSuchFileException e) {
      return folder.networkFile(c, EnumSet.of(ModelFolder.Format.ONNX));
    }
  }

  private static OvNetwork network(SharedCore core, ModelFolder folder, ModelComponent c, OpenVinoOptions options)
      throws IOException {
    Path file = networkFile(folder, c);
    try {
      return OvNetwork.open(core, c, file, options.deviceFor(c).name(), options.compileProperties(),
          options.staticShapes(), options.compiledShapes(), options.inferRequests());
    } catch (OpenVinoException e) {
      throw new IOException("OpenVINO cannot read " + c.folderName() + " from " + file + ": " + e.getMessage(), e);
    }
  }
}
