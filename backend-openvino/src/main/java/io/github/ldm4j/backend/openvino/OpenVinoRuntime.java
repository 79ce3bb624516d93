package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.OvApi;
import io.github.ldm4j.backend.openvino.internal.OvCore;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded OpenVINO C library with its functions bound ({@link OvApi}).
 *
 * <p>The process-wide runtime the {@code openvino} backend uses is {@link #shared()}: the one an
 * application {@link #install installed} (its own loaded library, or a test emulator), else the
 * library {@link OpenVinoLocator#system()} finds, loaded on first use and kept for the life of the
 * process (a loaded library is never unloaded).
 */
@SuppressWarnings("restricted")
public final class OpenVinoRuntime {

  private static OpenVinoRuntime installed;
  private static OpenVinoRuntime discovered;

  private final OvApi api;

  private OpenVinoRuntime(OvApi api) {
    this.api = api;
  }

  /**
   * Binds the functions of {@code lookup}.
   *
   * @param description what the lookup is, for messages
   * @throws OvApi.MissingSymbolsException naming every function the lookup lacks
   */
  public static OpenVinoRuntime of(SymbolLookup lookup, String description) {
    return new OpenVinoRuntime(new OvApi(Objects.requireNonNull(lookup, "lookup"), description));
  }

  /**
   * Loads {@code library} ({@code libopenvino_c.so}) for the life of the process and binds it.
   *
   * @throws IllegalStateException when it cannot be loaded or lacks functions (an OpenVINO older than
   *     2024), with the path
   */
  public static OpenVinoRuntime load(Path library) {
    SymbolLookup lookup;
    try {
      lookup = SymbolLookup.libraryLookup(library, Arena.global());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot load the OpenVINO C library " + library + ": " + e.getMessage()
          + ". Its dependencies (libopenvino.so, libtbb) must be beside it or on LD_LIBRARY_PATH. "
          + OpenVinoLocator.HOW_TO_INSTALL, e);
    }
    return of(lookup, library.toString());
  }

  /**
   * Makes {@code runtime} the process-wide runtime for the {@code openvino} backend (an application
   * that loads OpenVINO itself, or tests with an emulator); {@code null} returns to discovery.
   */
  public static synchronized void install(OpenVinoRuntime runtime) {
    installed = runtime;
  }

  /** The installed runtime, if any (no discovery, no loading). */
  public static synchronized Optional<OpenVinoRuntime> installedRuntime() {
    return Optional.ofNullable(installed);
  }

  /**
   * The process-wide runtime: the installed one, else the discovered library (loaded on the first
   * call).
   *
   * @throws IllegalStateException when no library is found (listing the places tried and how to
   *     install OpenVINO) or it cannot be loaded
   */
  public static synchronized OpenVinoRuntime shared() {
    if (installed != null) {
      return installed;
    }
    if (discovered == null) {
      OpenVinoLocator.Location where = OpenVinoLocator.system().locate();
      Path lib = where.library().orElseThrow(() -> new IllegalStateException(where.notFoundMessage()));
      discovered = load(lib);
    }
    return discovered;
  }

  /** The bound functions (for the backend's internals). */
  public OvApi api() {
    return api;
  }

  /** What was loaded (a path, "emulator"). */
  public String library() {
    return api.library();
  }

  /** The runtime's version ({@code ov_get_openvino_version}'s build number). */
  public String version() {
    return OvCore.version(api);
  }

  /** The devices OpenVINO can run on here, e.g. {@code [CPU, GPU]} (creates and frees a core). */
  public List<String> availableDevices() {
    try (OvCore core = OvCore.create(api)) {
      return core.availableDevices();
    }
  }

  @Override
  public String toString() {
    return "OpenVinoRuntime[" + api.library() + "]";
  }
}
