package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@code ov_core_t}: reads and compiles models, lists devices.
 *
 * <p><b>Ownership:</b> owns its core; {@link #close()} calls {@code ov_core_free} once. Models and
 * compiled models it made are owned by their own objects and may outlive it (OpenVINO keeps what
 * they need alive). Thread-safe for reading and compiling, as {@code ov::Core} is.
 */
@SuppressWarnings("restricted")
public final class OvCore extends NativeHandle {

  private OvCore(OvApi api, MemorySegment core) {
    super(api, core, "ov_core_t");
  }

  /** {@code ov_core_create}. The caller owns the result. */
  public static OvCore create(OvApi api) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = outPointer(arena);
      api.coreCreate(out);
      return new OvCore(api, out.get(ADDRESS, 0));
    }
  }

  @Override
  protected void free(MemorySegment handle) {
    api.coreFree(handle);
  }

  /** The runtime's build number ({@code ov_get_openvino_version}), e.g. {@code 2024.6.0-17404-...}. */
  public static String version(OvApi api) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment v = arena.allocate(OvLayouts.VERSION);
      api.getVersion(v);
      try {
        return OvApi.string((MemorySegment) OvLayouts.VERSION_BUILD.get(v, 0L));
      } finally {
        api.versionFree(v);
      }
    }
  }

  /** {@code ov_core_get_available_devices}: e.g. {@code [CPU, GPU.0, GPU.1, NPU]}. */
  public List<String> availableDevices() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment d = arena.allocate(OvLayouts.AVAILABLE_DEVICES);
      api.coreAvailableDevices(handle(), d);
      try {
        long n = (long) OvLayouts.DEVICES_SIZE.get(d, 0L);
        MemorySegment array = ((MemorySegment) OvLayouts.DEVICES_ARRAY.get(d, 0L)).reinterpret(n * ADDRESS.byteSize());
        List<String> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
          out.add(OvApi.string(array.getAtIndex(ADDRESS, i)));
        }
        return List.copyOf(out);
      } finally {
        api.availableDevicesFree(d);
      }
    }
  }

  /**
   * {@code ov_core_read_model}: IR ({@code .xml}, weights from {@code weights} or the {@code .bin}
   * beside it) or ONNX. The caller owns the result.
   */
  public OvModel readModel(Path model, Optional<Path> weights) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = outPointer(arena);
      api.coreReadModel(handle(), arena.allocateFrom(model.toString()),
          weights.map(w -> arena.allocateFrom(w.toString())).orElse(MemorySegment.NULL), out);
      return new OvModel(api, out.get(ADDRESS, 0), model.toString());
    }
  }

  /**
   * {@code ov_core_read_model_from_memory_buffer}: a model held in memory (an ONNX file's bytes, or
   * IR XML whose weights are given as a tensor). The caller owns the result.
   *
   * @param weights IR weights ({@code u8} tensor), or empty
   */
  public OvModel readModel(byte[] model, Optional<OvTensor> weights, String description) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(Math.max(1, model.length));
      MemorySegment.copy(model, 0, buffer, JAVA_BYTE, 0, model.length);
      MemorySegment out = outPointer(arena);
      api.coreReadModelFromMemory(handle(), buffer, model.length,
          weights.map(OvTensor::handle).orElse(MemorySegment.NULL), out);
      return new OvModel(api, out.get(ADDRESS, 0), description);
    }
  }

  /**
   * {@code ov_core_compile_model} for {@code device} with string-valued {@code properties} (e.g.
   * {@code PERFORMANCE_HINT=LATENCY}), in iteration order. The caller owns the result.
   */
  public OvCompiledModel compile(OvModel model, String device, Map<String, String> properties) {
    try (Arena arena = Arena.ofConfined()) {
      Map<MemorySegment, MemorySegment> props = new LinkedHashMap<>();
      properties.forEach((k, v) -> props.put(arena.allocateFrom(k), arena.allocateFrom(v)));
      MemorySegment out = outPointer(arena);
      api.coreCompileModel(handle(), model.handle(), arena.allocateFrom(device), props, out);
      return new OvCompiledModel(api, out.get(ADDRESS, 0), model.description() + " on " + device);
    }
  }
}
