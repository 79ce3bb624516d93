package io.github.ldm4j.backend.onnx;

import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Opens the ONNX networks of a model folder in the diffusers / optimum layout as ONNX Runtime
 * sessions ({@link io.github.ldm4j.spi.Network}s), each on its execution provider. Everything else
 * about a model is assembled backend-neutrally by the {@code ldm4j-generate} module; use this class
 * directly only to open networks with ONNX-specific {@link OnnxOptions} (graph optimisation level,
 * optimised-model cache, memory arena).
 */
public final class OnnxBackend {

  /** The network format this backend reads. */
  public static final Set<ModelFolder.Format> FORMATS = EnumSet.of(ModelFolder.Format.ONNX);

  private OnnxBackend() {}

  /**
   * Opens the requested networks, each on the execution provider its device names (placed over
   * {@code options}), with the request's replaced weights ({@link NetworkRequest#overrides()},
   * user-supplied initializers: ONNX Runtime optimises them as if the file held them; it
   * still keeps its own copy of the session's weights, measured in {@code docs/benchmarks.md}). On any failure the sessions opened so far are closed.
   *
   * @throws IOException naming the file that is missing or that ONNX Runtime cannot load
   * @throws IllegalArgumentException for an unknown execution provider
   */
  public static NetworkSet open(NetworkRequest request, OnnxOptions options) throws IOException {
    OnnxOptions placed = options;
    for (var e : request.devices().entrySet()) {
      placed = placed.withPlacement(e.getKey(), ExecutionProvider.parse(e.getValue()));
    }
    OnnxOptions o = placed;
    return NetworkSet.openEach(request.devices().keySet(),
        c -> OnnxSession.open(request.folder().networkFile(c, FORMATS), c, o, request.overrides().of(c)));
  }

  /** Every network of the model folder {@code modelDir} on the CPU, with default options. */
  public static NetworkSet open(Path modelDir) throws IOException {
    ModelFolder folder = ModelFolder.open(modelDir, FORMATS);
    return open(NetworkRequest.all(folder, io.github.ldm4j.spi.BackendOptions.DEFAULTS), OnnxOptions.DEFAULTS);
  }

  /**
   * One network as ONNX Runtime declares it, opening (and closing) its session.
   *
   * @throws IOException naming the missing, unreadable or corrupt file
   */
  public static NetworkDescription describe(ModelFolder folder, ModelComponent component, OnnxOptions options)
      throws IOException {
    try (OnnxSession s = session(folder, component, options)) {
      return new NetworkDescription(component, s.file(), List.copyOf(s.inputs().values()), List.copyOf(s.outputs().values()));
    }
  }

  private static OnnxSession session(ModelFolder folder, ModelComponent c, OnnxOptions options) throws IOException {
    return OnnxSession.open(folder.networkFile(c, FORMATS), c, options);
  }
}
