package io.github.ldm4j.backend.openvino.emulator;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.openvino.OpenVinoRuntime;
import io.github.ldm4j.backend.openvino.emulator.EmulatedNetwork.Port;
import io.github.ldm4j.backend.openvino.emulator.EmulatedNetwork.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An emulator of the OpenVINO C API subset ldm4j binds: real native entry points (FFM upcall stubs)
 * behind a {@link SymbolLookup}, so the binding's downcalls, struct layouts and ownership rules run
 * for real, while the networks are computed by ONNX Runtime on the same ONNX files.
 *
 * <p><b>Semantics emulated</b> (from the OpenVINO 2024 headers and C-wrapper sources): status codes
 * ({@code INVALID_C_PARAM} for NULL arguments without a message; {@code GENERAL_ERROR} with a
 * message for failures inside the runtime, readable once through {@code ov_get_last_err_msg}, a
 * global "last message" that success does not clear); every object returned through an out-parameter
 * is owned by the caller and must be released by the matching {@code *_free} (strings and the
 * {@code dims} of shapes included); {@code ov_tensor_create_from_host_ptr} reads and writes the
 * caller's memory without copying; static reshape makes the output shapes static (found by a dry
 * run); the NPU rejects dynamic shapes; properties are validated per key; {@code CACHE_DIR} receives a
 * blob per compiled model and later compiles of the same model and shape are counted as cache hits.
 * Inference precision hints do not change the arithmetic (ONNX Runtime computes in the model's
 * types).
 *
 * <p><b>Files:</b> an ONNX path is run directly; an IR path ({@code X.xml}) needs {@code X.bin} and
 * is run from the ONNX twin {@code X.onnx} beside it (the emulator's stand-in for IR).
 *
 * <p><b>The variadic {@code ov_core_compile_model}:</b> an upcall stub cannot be variadic, so the
 * emulator exports a fixed-arity function with the 5 named parameters followed by {@code 2 ×
 * MAX_PROPERTY_PAIRS} (16) pointer parameters. The binding always passes exactly that many variadic
 * pointers (unused ones NULL, which C permits: surplus variadic arguments are never read), so on
 * x86-64 System V and Linux AArch64 — where variadic integer/pointer arguments occupy the same
 * registers and stack slots as named ones — the call lands exactly on the stub. (On macOS/AArch64,
 * where variadic arguments always go on the stack, the emulator cannot receive them; the real
 * library is unaffected.) The emulator checks that the unused slots are NULL.
 *
 * <p><b>Accounting:</b> every allocation and free is counted in a {@link Ledger}; {@link #close()}
 * throws {@link AssertionError} on leaks, double frees, foreign pointers or use after free.
 */
@SuppressWarnings("restricted")
public final class OvEmulator implements AutoCloseable {

  // Facts written independently of the binding (ov_common.h, 2024.x), so a wrong binding constant fails.
  static final int OK = 0;
  static final int GENERAL_ERROR = -1;
  static final int NOT_FOUND = -5;
  static final int OUT_OF_BOUNDS = -6;
  static final int REQUEST_BUSY = -8;
  static final int INVALID_C_PARAM = -14;
  static final int BOOLEAN = 2;
  static final int F16 = 4;
  static final int F32 = 5;
  static final int I32 = 10;
  static final int I64 = 11;

  // Struct facts (ov_shape.h, ov_dimension.h, ov_partial_shape.h, ov_core.h), as raw offsets.
  private static final long SHAPE_RANK = 0;
  private static final long SHAPE_DIMS = 8;
  private static final long PARTIAL_RANK_MIN = 0;
  private static final long PARTIAL_RANK_MAX = 8;
  private static final long PARTIAL_DIMS = 16;
  private static final long PARTIAL_SIZE = 24;
  private static final long DIMENSION_SIZE = 16;
  private static final StructLayout SHAPE_BY_VALUE = MemoryLayout.structLayout(JAVA_LONG, ADDRESS);

  /** Variadic slots of the fixed-arity {@code ov_core_compile_model} stub. */
  public static final int COMPILE_VARIADIC_SLOTS = 16;

  private static final Set<String> KNOWN_FAMILIES = Set.of("CPU", "GPU", "NPU");

  /** One compile as the emulator received it. */
  public record CompileCall(String device, Map<String, String> properties, List<String> inputShapes) {}

  private record Failure(int status, String message) {}

  private static final class EmModel {
    final EmulatedNetwork network;
    final List<Port> inputs;

    EmModel(EmulatedNetwork network) {
      this.network = network;
      this.inputs = new ArrayList<>(network.inputs());
    }
  }

  private record EmCompiled(EmulatedNetwork network, List<Port> inputs, List<Port> outputs, String device) {}

  private static final class EmRequest {
    final EmCompiled compiled;
    final Map<Integer, Tensor> inputs = new HashMap<>();
    final Map<Integer, Tensor> outputs = new HashMap<>();
    Future<Failure> running;

    EmRequest(EmCompiled compiled) {
      this.compiled = compiled;
    }
  }

  private final Arena arena = Arena.ofShared();
  private final Ledger ledger = new Ledger();
  private final Map<String, MemorySegment> symbols = new LinkedHashMap<>();
  private final List<String> devices;
  private final OrtEnvironment env;
  private final Map<String, EmulatedNetwork> networks = new ConcurrentHashMap<>();
  private final Map<String, Failure> injected = new ConcurrentHashMap<>();
  private final List<CompileCall> compiles = Collections.synchronizedList(new ArrayList<>());
  private final Map<Integer, MemorySegment> errorInfo = new ConcurrentHashMap<>();
  private final ExecutorService async = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "ov-emulator-async");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger inferences = new AtomicInteger();
  private final AtomicInteger cacheHits = new AtomicInteger();
  private final AtomicInteger reshapes = new AtomicInteger();
  private final Set<Long> hostPointers = ConcurrentHashMap.newKeySet();
  private volatile String lastError = "";
  private boolean closed;

  /** An emulator whose runtime offers the CPU only. */
  public OvEmulator() {
    this(List.of("CPU"));
  }

  /** An emulator offering {@code devices} (e.g. {@code CPU}, {@code GPU.0}, {@code NPU}). */
  public OvEmulator(List<String> devices) {
    this.devices = List.copyOf(devices);
    this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "ldm4j");
    FunctionDescriptor statusP = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    FunctionDescriptor statusPP = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    FunctionDescriptor statusPLP = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
    FunctionDescriptor voidP = FunctionDescriptor.ofVoid(ADDRESS);
    export("ov_get_openvino_version", statusP);
    export("ov_version_free", voidP);
    export("ov_core_create", statusP);
    export("ov_core_free", voidP);
    export("ov_core_read_model", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    export("ov_core_read_model_from_memory_buffer", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    MemoryLayout[] compile = new MemoryLayout[5 + COMPILE_VARIADIC_SLOTS];
    Arrays.fill(compile, ADDRESS);
    compile[3] = JAVA_LONG;
    export("ov_core_compile_model", FunctionDescriptor.of(JAVA_INT, compile));
    export("ov_core_get_available_devices", statusPP);
    export("ov_available_devices_free", voidP);
    export("ov_model_free", voidP);
    export("ov_model_inputs_size", statusPP);
    export("ov_model_outputs_size", statusPP);
    export("ov_model_const_input_by_index", statusPLP);
    export("ov_model_const_output_by_index", statusPLP);
    export("ov_model_reshape", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    export("ov_model_is_dynamic", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    export("ov_port_get_any_name", statusPP);
    export("ov_port_get_partial_shape", statusPP);
    export("ov_port_get_element_type", statusPP);
    export("ov_output_const_port_free", voidP);
    export("ov_partial_shape_free", voidP);
    export("ov_shape_free", statusP);
    export("ov_compiled_model_inputs_size", statusPP);
    export("ov_compiled_model_outputs_size", statusPP);
    export("ov_compiled_model_input_by_index", statusPLP);
    export("ov_compiled_model_output_by_index", statusPLP);
    export("ov_compiled_model_create_infer_request", statusPP);
    export("ov_compiled_model_free", voidP);
    export("ov_infer_request_set_tensor", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    export("ov_infer_request_set_input_tensor_by_index", statusPLP);
    export("ov_infer_request_set_output_tensor_by_index", statusPLP);
    export("ov_infer_request_get_output_tensor_by_index", statusPLP);
    export("ov_infer_request_infer", statusP);
    export("ov_infer_request_start_async", statusP);
    export("ov_infer_request_wait", statusP);
    export("ov_infer_request_free", voidP);
    export("ov_tensor_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, SHAPE_BY_VALUE, ADDRESS));
    export("ov_tensor_create_from_host_ptr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, SHAPE_BY_VALUE, ADDRESS, ADDRESS));
    export("ov_tensor_data", statusPP);
    export("ov_tensor_get_shape", statusPP);
    export("ov_tensor_get_element_type", statusPP);
    export("ov_tensor_free", voidP);
    export("ov_get_last_err_msg", FunctionDescriptor.of(ADDRESS));
    export("ov_get_error_info", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    export("ov_free", voidP);
  }

  private void export(String name, FunctionDescriptor fd) {
    try {
      Method m = Arrays.stream(OvEmulator.class.getDeclaredMethods())
          .filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
      MethodHandle h = MethodHandles.lookup().unreflect(m).bindTo(this);
      if (name.equals("ov_core_compile_model")) {
        h = h.asCollector(MemorySegment[].class, COMPILE_VARIADIC_SLOTS);
      }
      symbols.put(name, Linker.nativeLinker().upcallStub(h, fd, arena));
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  // ================================================================ public test surface

  /** The emulated library's symbols. */
  public SymbolLookup lookup() {
    return name -> Optional.ofNullable(symbols.get(name));
  }

  /** The symbols minus {@code names}: an "older runtime". */
  public SymbolLookup lookupWithout(String... names) {
    Set<String> gone = Set.of(names);
    return name -> gone.contains(name) ? Optional.empty() : Optional.ofNullable(symbols.get(name));
  }

  /** A runtime bound to this emulator. */
  public OpenVinoRuntime runtime() {
    return OpenVinoRuntime.of(lookup(), "ov-emulator");
  }

  /** The next call of {@code function} fails with {@code status} and (unless null) {@code message}. */
  public void failNext(String function, int status, String message) {
    if (!symbols.containsKey(function)) {
      throw new IllegalArgumentException("not emulated: " + function);
    }
    injected.put(function, new Failure(status, message));
  }

  /** Every compile so far. */
  public List<CompileCall> compiles() {
    synchronized (compiles) {
      return List.copyOf(compiles);
    }
  }

  /** Inferences run so far. */
  public int inferences() {
    return inferences.get();
  }

  /** Reshapes so far. */
  public int reshapes() {
    return reshapes.get();
  }

  /** Compiles that found their blob in {@code CACHE_DIR}. */
  public int cacheHits() {
    return cacheHits.get();
  }

  /** Handles and buffers handed out so far. */
  public long allocations() {
    return ledger.allocations();
  }

  /** Handles and buffers freed so far. */
  public long frees() {
    return ledger.frees();
  }

  /** Handles and buffers not yet freed, by C type. */
  public Map<String, Integer> live() {
    return ledger.leaks();
  }

  /** Leaks and ownership violations so far (empty when clean). */
  public List<String> problems() {
    return ledger.problems();
  }

  /** Distinct host pointers the binding wrapped with {@code ov_tensor_create_from_host_ptr}. */
  public Set<Long> hostPointers() {
    return Set.copyOf(hostPointers);
  }

  /**
   * Closes ONNX Runtime and the stubs.
   *
   * @throws AssertionError listing leaks and ownership violations, if any
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> problems = ledger.problems();
    async.shutdownNow();
    for (EmulatedNetwork n : networks.values()) {
      try {
        n.close();
      } catch (OrtException e) {
        problems.add("closing ONNX Runtime: " + e.getMessage());
      }
    }
    arena.close();
    ledger.release();
    if (!problems.isEmpty()) {
      throw new AssertionError("OpenVINO emulator: " + problems.size() + " problem(s): " + String.join("; ", problems));
    }
  }

  // ================================================================ plumbing

  /** A failure inside an emulated call: a status and the message OpenVINO would record (null: none). */
  private static final class OvError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    OvError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private interface Body {
    void run() throws Exception;
  }

  private static OvError invalid() {
    return new OvError(INVALID_C_PARAM, null);
  }

  private static OvError general(String message) {
    return new OvError(GENERAL_ERROR, "Exception from src/emulator: " + message);
  }

  /** Runs an emulated function; never lets a Java exception reach native code (that would abort). */
  private int guard(String function, Body body) {
    Failure f = injected.remove(function);
    if (f != null) {
      if (f.message() != null) {
        lastError = f.message();
      }
      return f.status();
    }
    try {
      body.run();
      return OK;
    } catch (OvError e) {
      if (e.getMessage() != null) {
        lastError = e.getMessage();
      }
      return e.status;
    } catch (Throwable t) {
      lastError = function + ": " + t;
      ledger.violation("emulator failure in " + function + ": " + t);
      return GENERAL_ERROR;
    }
  }

  private void guardVoid(String function, Body body) {
    try {
      body.run();
    } catch (Throwable t) {
      ledger.violation("emulator failure in " + function + ": " + t);
    }
  }

  private static void require(MemorySegment... pointers) {
    for (MemorySegment p : pointers) {
      if (p.equals(MemorySegment.NULL)) {
        throw invalid();
      }
    }
  }

  private <T> T live(MemorySegment p, String kind, Class<T> type) {
    require(p);
    T v = ledger.get(p, kind, type);
    if (v == null) {
      throw invalid();
    }
    return v;
  }

  private static String cString(MemorySegment p) {
    return p.reinterpret(Long.MAX_VALUE).getString(0);
  }

  private static void writePointer(MemorySegment out, MemorySegment value) {
    out.reinterpret(ADDRESS.byteSize()).set(ADDRESS, 0, value);
  }

  private static long product(long[] dims) {
    long n = 1;
    for (long d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  private static long[] readShape(MemorySegment shape) {
    MemorySegment s = shape.reinterpret(16);
    long rank = s.get(JAVA_LONG, SHAPE_RANK);
    if (rank < 0 || rank > 16) {
      throw general("shape rank " + rank + " out of range");
    }
    MemorySegment dims = s.get(ADDRESS, SHAPE_DIMS);
    if (rank > 0 && dims.equals(MemorySegment.NULL)) {
      throw invalid();
    }
    return dims.reinterpret(rank * 8).toArray(JAVA_LONG);
  }

  private void writeShape(MemorySegment target, long[] shape) {
    MemorySegment s = target.reinterpret(16);
    MemorySegment dims = ledger.allocate(8L * Math.max(1, shape.length));
    MemorySegment.copy(shape, 0, dims, JAVA_LONG, 0, shape.length);
    ledger.track(dims, null, "ov_shape_t.dims");
    s.set(JAVA_LONG, SHAPE_RANK, shape.length);
    s.set(ADDRESS, SHAPE_DIMS, dims);
  }

  private static int elementSize(int type) {
    int n = EmulatedNetwork.elementSize(type);
    if (n < 0) {
      throw general("element type " + type + " is not supported by the emulator");
    }
    return n;
  }

  private EmulatedNetwork network(String key, NetworkOpener opener) throws OrtException {
    EmulatedNetwork n = networks.get(key);
    if (n == null) {
      n = opener.open();
      EmulatedNetwork prev = networks.putIfAbsent(key, n);
      if (prev != null) {
        n.close();
        n = prev;
      }
    }
    return n;
  }

  private interface NetworkOpener {
    EmulatedNetwork open() throws OrtException;
  }

  // ================================================================ ov_common.h

  MemorySegment ov_get_last_err_msg() {
    try {
      String m = lastError;
      return m.isEmpty() ? MemorySegment.NULL : ledger.string(m);
    } catch (Throwable t) {
      ledger.violation("ov_get_last_err_msg: " + t);
      return MemorySegment.NULL;
    }
  }

  MemorySegment ov_get_error_info(int status) {
    return errorInfo.computeIfAbsent(status, s -> arena.allocateFrom("status " + s));
  }

  void ov_free(MemorySegment p) {
    guardVoid("ov_free", () -> ledger.free(p, "char*"));
  }

  // ================================================================ ov_core.h

  int ov_get_openvino_version(MemorySegment version) {
    return guard("ov_get_openvino_version", () -> {
      require(version);
      MemorySegment v = version.reinterpret(16);
      MemorySegment build = ledger.allocateFrom("2024.6.0-emulator");
      MemorySegment description = ledger.allocateFrom("OpenVINO C API emulator (ldm4j tests)");
      ledger.track(build, null, "ov_version_t.buildNumber");
      ledger.track(description, null, "ov_version_t.description");
      v.set(ADDRESS, 0, build);
      v.set(ADDRESS, 8, description);
    });
  }

  void ov_version_free(MemorySegment version) {
    guardVoid("ov_version_free", () -> {
      if (!version.equals(MemorySegment.NULL)) {
        MemorySegment v = version.reinterpret(16);
        ledger.free(v.get(ADDRESS, 0), "ov_version_t.buildNumber");
        ledger.free(v.get(ADDRESS, 8), "ov_version_t.description");
        v.set(ADDRESS, 0, MemorySegment.NULL);
        v.set(ADDRESS, 8, MemorySegment.NULL);
      }
    });
  }

  int ov_core_create(MemorySegment out) {
    return guard("ov_core_create", () -> {
      require(out);
      writePointer(out, ledger.register(new Object(), "ov_core_t"));
    });
  }

  void ov_core_free(MemorySegment core) {
    guardVoid("ov_core_free", () -> ledger.free(core, "ov_core_t"));
  }

  int ov_core_get_available_devices(MemorySegment core, MemorySegment out) {
    return guard("ov_core_get_available_devices", () -> {
      live(core, "ov_core_t", Object.class);
      require(out);
      MemorySegment array = ledger.allocate(ADDRESS.byteSize() * Math.max(1, devices.size()));
      for (int i = 0; i < devices.size(); i++) {
        MemorySegment s = ledger.allocateFrom(devices.get(i));
        ledger.track(s, null, "ov_available_devices_t.devices[i]");
        array.setAtIndex(ADDRESS, i, s);
      }
      ledger.track(array, null, "ov_available_devices_t.devices");
      MemorySegment d = out.reinterpret(16);
      d.set(ADDRESS, 0, array);
      d.set(JAVA_LONG, 8, devices.size());
    });
  }

  void ov_available_devices_free(MemorySegment devicesStruct) {
    guardVoid("ov_available_devices_free", () -> {
      if (devicesStruct.equals(MemorySegment.NULL)) {
        return;
      }
      MemorySegment d = devicesStruct.reinterpret(16);
      MemorySegment array = d.get(ADDRESS, 0);
      long n = d.get(JAVA_LONG, 8);
      if (!array.equals(MemorySegment.NULL)) {
        MemorySegment a = array.reinterpret(n * 8);
        for (long i = 0; i < n; i++) {
          ledger.free(a.getAtIndex(ADDRESS, i), "ov_available_devices_t.devices[i]");
        }
        ledger.free(array, "ov_available_devices_t.devices");
      }
      d.set(ADDRESS, 0, MemorySegment.NULL);
      d.set(JAVA_LONG, 8, 0);
    });
  }

  int ov_core_read_model(MemorySegment core, MemorySegment modelPath, MemorySegment binPath, MemorySegment out) {
    return guard("ov_core_read_model", () -> {
      live(core, "ov_core_t", Object.class);
      require(modelPath, out);
      Path path = Path.of(cString(modelPath));
      if (!Files.isRegularFile(path)) {
        throw general("Model file " + path + " cannot be opened!");
      }
      String file = path.getFileName().toString();
      Path onnx;
      if (file.endsWith(".xml")) {
        Path bin = binPath.equals(MemorySegment.NULL) || cString(binPath).isEmpty()
            ? path.resolveSibling(file.substring(0, file.length() - 4) + ".bin") : Path.of(cString(binPath));
        if (!Files.isRegularFile(bin)) {
          throw general("Weights file " + bin + " cannot be opened!");
        }
        onnx = path.resolveSibling(file.substring(0, file.length() - 4) + ".onnx");
        if (!Files.isRegularFile(onnx)) {
          throw general("emulated IR " + path + " has no ONNX twin " + onnx.getFileName());
        }
      } else if (file.endsWith(".onnx")) {
        onnx = path;
      } else {
        throw general("Unable to read the model: " + path + " Please check that model format: "
            + file.substring(file.lastIndexOf('.') + 1) + " is supported and the model is correct.");
      }
      EmulatedNetwork n;
      try {
        n = network(onnx.toAbsolutePath().toString(), () -> EmulatedNetwork.open(env, onnx.toString()));
      } catch (OrtException e) {
        throw general("[ONNX Frontend] cannot read " + path + ": " + e.getMessage());
      }
      writePointer(out, ledger.register(new EmModel(n), "ov_model_t"));
    });
  }

  int ov_core_read_model_from_memory_buffer(MemorySegment core, MemorySegment model, long length,
      MemorySegment weights, MemorySegment out) {
    return guard("ov_core_read_model_from_memory_buffer", () -> {
      live(core, "ov_core_t", Object.class);
      require(model, out);
      if (length == 0) {
        throw invalid();
      }
      if (!weights.equals(MemorySegment.NULL)) {
        throw general("Reading ONNX models does not support loading weights from tensors");
      }
      byte[] bytes = model.reinterpret(length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      String key = "memory:" + sha256(bytes);
      EmulatedNetwork n;
      try {
        n = network(key, () -> EmulatedNetwork.open(env, bytes, key));
      } catch (OrtException e) {
        throw general("Unable to read the model from memory: " + e.getMessage());
      }
      writePointer(out, ledger.register(new EmModel(n), "ov_model_t"));
    });
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  int ov_core_compile_model(MemorySegment core, MemorySegment model, MemorySegment device, long argCount,
      MemorySegment out, MemorySegment[] variadic) {
    return guard("ov_core_compile_model", () -> {
      live(core, "ov_core_t", Object.class);
      EmModel m = live(model, "ov_model_t", EmModel.class);
      require(out);
      if (argCount % 2 != 0 || argCount < 0) {
        throw invalid();
      }
      if (argCount > COMPILE_VARIADIC_SLOTS) {
        throw general("the emulator's compile stub receives at most " + COMPILE_VARIADIC_SLOTS + " variadic arguments");
      }
      for (int i = (int) argCount; i < variadic.length; i++) {
        if (!variadic[i].equals(MemorySegment.NULL)) {
          ledger.violation("ov_core_compile_model: unused variadic slot " + i + " is not NULL");
        }
      }
      Map<String, String> props = new LinkedHashMap<>();
      for (int i = 0; i < argCount; i += 2) {
        require(variadic[i], variadic[i + 1]);
        props.put(cString(variadic[i]), cString(variadic[i + 1]));
      }
      String requested = device.equals(MemorySegment.NULL) ? "AUTO" : cString(device);
      String chosen = resolveDevice(requested);
      for (Map.Entry<String, String> p : props.entrySet()) {
        validateProperty(chosen, p.getKey(), p.getValue());
      }
      boolean dynamic = m.inputs.stream().anyMatch(p -> !p.isStatic());
      if (chosen.startsWith("NPU") && dynamic) {
        throw general("[NPU] dynamic shapes are not supported: reshape " + m.inputs + " to static shapes first");
      }
      List<Port> outputs = outputs(m);
      List<String> shapes = m.inputs.stream().map(Port::toString).toList();
      compiles.add(new CompileCall(requested, Map.copyOf(props), shapes));
      if (props.containsKey("CACHE_DIR")) {
        Path dir = Path.of(props.get("CACHE_DIR"));
        Files.createDirectories(dir);
        Path blob = dir.resolve(sha256((m.network.source() + shapes + chosen).getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".blob");
        if (Files.exists(blob)) {
          cacheHits.incrementAndGet();
        } else {
          Files.writeString(blob, "emulated compiled blob of " + m.network.source() + " " + shapes);
        }
      }
      EmCompiled c = new EmCompiled(m.network, List.copyOf(m.inputs), outputs, chosen);
      writePointer(out, ledger.register(c, "ov_compiled_model_t"));
    });
  }

  private String resolveDevice(String requested) {
    String r = requested.strip();
    if (r.equals("AUTO") || r.startsWith("AUTO:")) {
      List<String> candidates = r.equals("AUTO") ? devices : List.of(r.substring(5).split(","));
      for (String c : candidates) {
        for (String d : devices) {
          if (matches(c.strip(), d)) {
            return d;
          }
        }
      }
      throw general("[AUTO] compile model failed, no device among " + candidates + " is available");
    }
    String family = r.contains(".") ? r.substring(0, r.indexOf('.')) : r;
    if (!KNOWN_FAMILIES.contains(family)) {
      throw general("Device with \"" + r + "\" name is not registered in the OpenVINO Runtime");
    }
    for (String d : devices) {
      if (matches(r, d)) {
        return d;
      }
    }
    throw general("[" + family + "] device " + r + " is not available; available devices: " + devices);
  }

  private static boolean matches(String requested, String available) {
    return available.equals(requested) || available.startsWith(requested + ".") || (available + ".0").equals(requested);
  }

  private static void validateProperty(String device, String key, String value) {
    switch (key) {
      case "PERFORMANCE_HINT" -> {
        if (!Set.of("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT").contains(value)) {
          throw general("Wrong value " + value + " for property key PERFORMANCE_HINT");
        }
      }
      case "INFERENCE_PRECISION_HINT" -> {
        if (!Set.of("f32", "f16", "bf16").contains(value)) {
          throw general("Wrong value " + value + " for property key INFERENCE_PRECISION_HINT");
        }
      }
      case "INFERENCE_NUM_THREADS", "NUM_STREAMS" -> {
        try {
          if (Integer.parseInt(value) < 0) {
            throw general("Wrong value " + value + " for property key " + key);
          }
        } catch (NumberFormatException e) {
          if (!(key.equals("NUM_STREAMS") && value.equals("AUTO"))) {
            throw general("Wrong value " + value + " for property key " + key + ". Expected only integer numbers");
          }
        }
      }
      case "CACHE_DIR" -> {
        if (value.isEmpty()) {
          return;
        }
      }
      default -> throw general("NotFound: Unsupported property " + key + " by " + device.split("\\.")[0] + " plugin.");
    }
  }

  private List<Port> outputs(EmModel m) throws OrtException {
    List<Port> declared = m.network.outputs();
    if (!m.inputs.stream().allMatch(Port::isStatic)) {
      return declared;
    }
    Map<String, long[]> shapes = m.network.outputShapes(m.inputs);
    List<Port> out = new ArrayList<>();
    for (Port p : declared) {
      out.add(p.withDims(shapes.get(p.name())));
    }
    return out;
  }

  // ================================================================ ov_model.h

  void ov_model_free(MemorySegment model) {
    guardVoid("ov_model_free", () -> ledger.free(model, "ov_model_t"));
  }

  int ov_model_inputs_size(MemorySegment model, MemorySegment out) {
    return guard("ov_model_inputs_size", () -> {
      EmModel m = live(model, "ov_model_t", EmModel.class);
      require(out);
      out.reinterpret(8).set(JAVA_LONG, 0, m.inputs.size());
    });
  }

  int ov_model_outputs_size(MemorySegment model, MemorySegment out) {
    return guard("ov_model_outputs_size", () -> {
      EmModel m = live(model, "ov_model_t", EmModel.class);
      require(out);
      out.reinterpret(8).set(JAVA_LONG, 0, m.network.outputs().size());
    });
  }

  int ov_model_const_input_by_index(MemorySegment model, long index, MemorySegment out) {
    return guard("ov_model_const_input_by_index", () -> {
      EmModel m = live(model, "ov_model_t", EmModel.class);
      require(out);
      writePointer(out, port(m.inputs, index));
    });
  }

  int ov_model_const_output_by_index(MemorySegment model, long index, MemorySegment out) {
    return guard("ov_model_const_output_by_index", () -> {
      EmModel m = live(model, "ov_model_t", EmModel.class);
      require(out);
      writePointer(out, port(outputs(m), index));
    });
  }

  private MemorySegment port(List<Port> ports, long index) {
    if (index < 0 || index >= ports.size()) {
      throw general("Index " + index + " is out of range: the model has " + ports.size() + " ports");
    }
    return ledger.register(ports.get((int) index), "ov_output_const_port_t");
  }

  boolean ov_model_is_dynamic(MemorySegment model) {
    EmModel m = ledger.get(model, "ov_model_t", EmModel.class);
    return m != null && m.inputs.stream().anyMatch(p -> !p.isStatic());
  }

  int ov_model_reshape(MemorySegment model, MemorySegment names, MemorySegment shapes, long count) {
    return guard("ov_model_reshape", () -> {
      EmModel m = live(model, "ov_model_t", EmModel.class);
      require(names, shapes);
      MemorySegment n = names.reinterpret(count * 8);
      MemorySegment s = shapes.reinterpret(count * PARTIAL_SIZE);
      Map<Integer, Port> updates = new HashMap<>();
      for (int i = 0; i < count; i++) {
        String name = cString(n.getAtIndex(ADDRESS, i));
        long rankMin = s.get(JAVA_LONG, i * PARTIAL_SIZE + PARTIAL_RANK_MIN);
        long rankMax = s.get(JAVA_LONG, i * PARTIAL_SIZE + PARTIAL_RANK_MAX);
        int idx = -1;
        for (int k = 0; k < m.inputs.size(); k++) {
          if (m.inputs.get(k).name().equals(name)) {
            idx = k;
          }
        }
        if (idx < 0) {
          throw general("Check 'port_names_found' failed: reshape: no input tensor named " + name);
        }
        Port declared = m.network.inputs().get(idx);
        if (rankMin != rankMax || rankMin != declared.dims().length) {
          throw general("reshape of " + name + " to rank " + rankMin + ".." + rankMax + " is incompatible with "
              + declared + " (rank " + declared.dims().length + ")");
        }
        MemorySegment dims = s.get(ADDRESS, i * PARTIAL_SIZE + PARTIAL_DIMS).reinterpret(rankMin * DIMENSION_SIZE);
        long[] d = new long[(int) rankMin];
        for (int k = 0; k < d.length; k++) {
          long min = dims.get(JAVA_LONG, k * DIMENSION_SIZE);
          long max = dims.get(JAVA_LONG, k * DIMENSION_SIZE + 8);
          d[k] = min == max ? min : -1;
          long want = declared.dims()[k];
          if (want >= 0 && d[k] >= 0 && want != d[k]) {
            throw general("Shape inference of the model failed: input " + name + " dimension " + k + " is " + want
                + " in the model, cannot reshape to " + d[k]);
          }
        }
        updates.put(idx, declared.withDims(d));
      }
      updates.forEach(m.inputs::set);
      reshapes.incrementAndGet();
    });
  }

  // ================================================================ ov_node.h

  int ov_port_get_any_name(MemorySegment port, MemorySegment out) {
    return guard("ov_port_get_any_name", () -> {
      Port p = live(port, "ov_output_const_port_t", Port.class);
      require(out);
      writePointer(out, ledger.string(p.name()));
    });
  }

  int ov_port_get_element_type(MemorySegment port, MemorySegment out) {
    return guard("ov_port_get_element_type", () -> {
      Port p = live(port, "ov_output_const_port_t", Port.class);
      require(out);
      out.reinterpret(4).set(JAVA_INT, 0, p.type());
    });
  }

  int ov_port_get_partial_shape(MemorySegment port, MemorySegment out) {
    return guard("ov_port_get_partial_shape", () -> {
      Port p = live(port, "ov_output_const_port_t", Port.class);
      require(out);
      MemorySegment ps = out.reinterpret(PARTIAL_SIZE);
      long[] d = p.dims();
      ps.set(JAVA_LONG, PARTIAL_RANK_MIN, d.length);
      ps.set(JAVA_LONG, PARTIAL_RANK_MAX, d.length);
      MemorySegment dims = ledger.allocate(DIMENSION_SIZE * Math.max(1, d.length));
      for (int i = 0; i < d.length; i++) {
        dims.set(JAVA_LONG, i * DIMENSION_SIZE, d[i] < 0 ? 0 : d[i]);
        dims.set(JAVA_LONG, i * DIMENSION_SIZE + 8, d[i] < 0 ? -1 : d[i]);
      }
      ledger.track(dims, null, "ov_partial_shape_t.dims");
      ps.set(ADDRESS, PARTIAL_DIMS, dims);
    });
  }

  void ov_output_const_port_free(MemorySegment port) {
    guardVoid("ov_output_const_port_free", () -> ledger.free(port, "ov_output_const_port_t"));
  }

  void ov_partial_shape_free(MemorySegment ps) {
    guardVoid("ov_partial_shape_free", () -> {
      if (!ps.equals(MemorySegment.NULL)) {
        MemorySegment s = ps.reinterpret(PARTIAL_SIZE);
        ledger.free(s.get(ADDRESS, PARTIAL_DIMS), "ov_partial_shape_t.dims");
        s.set(ADDRESS, PARTIAL_DIMS, MemorySegment.NULL);
      }
    });
  }

  int ov_shape_free(MemorySegment shape) {
    return guard("ov_shape_free", () -> {
      require(shape);
      MemorySegment s = shape.reinterpret(16);
      ledger.free(s.get(ADDRESS, SHAPE_DIMS), "ov_shape_t.dims");
      s.set(ADDRESS, SHAPE_DIMS, MemorySegment.NULL);
      s.set(JAVA_LONG, SHAPE_RANK, 0);
    });
  }

  // ================================================================ ov_compiled_model.h

  int ov_compiled_model_inputs_size(MemorySegment compiled, MemorySegment out) {
    return guard("ov_compiled_model_inputs_size", () -> {
      EmCompiled c = live(compiled, "ov_compiled_model_t", EmCompiled.class);
      require(out);
      out.reinterpret(8).set(JAVA_LONG, 0, c.inputs().size());
    });
  }

  int ov_compiled_model_outputs_size(MemorySegment compiled, MemorySegment out) {
    return guard("ov_compiled_model_outputs_size", () -> {
      EmCompiled c = live(compiled, "ov_compiled_model_t", EmCompiled.class);
      require(out);
      out.reinterpret(8).set(JAVA_LONG, 0, c.outputs().size());
    });
  }

  int ov_compiled_model_input_by_index(MemorySegment compiled, long index, MemorySegment out) {
    return guard("ov_compiled_model_input_by_index", () -> {
      EmCompiled c = live(compiled, "ov_compiled_model_t", EmCompiled.class);
      require(out);
      writePointer(out, port(c.inputs(), index));
    });
  }

  int ov_compiled_model_output_by_index(MemorySegment compiled, long index, MemorySegment out) {
    return guard("ov_compiled_model_output_by_index", () -> {
      EmCompiled c = live(compiled, "ov_compiled_model_t", EmCompiled.class);
      require(out);
      writePointer(out, port(c.outputs(), index));
    });
  }

  int ov_compiled_model_create_infer_request(MemorySegment compiled, MemorySegment out) {
    return guard("ov_compiled_model_create_infer_request", () -> {
      EmCompiled c = live(compiled, "ov_compiled_model_t", EmCompiled.class);
      require(out);
      writePointer(out, ledger.register(new EmRequest(c), "ov_infer_request_t"));
    });
  }

  void ov_compiled_model_free(MemorySegment compiled) {
    guardVoid("ov_compiled_model_free", () -> ledger.free(compiled, "ov_compiled_model_t"));
  }

  // ================================================================ ov_infer_request.h

  private static void checkFits(Port port, Tensor t) {
    if (t.type() != port.type()) {
      throw general("The tensor element type is not corresponding with output element type ("
          + t.type() + " != " + port.type() + ") for tensor " + port.name());
    }
    long[] d = port.dims();
    boolean ok = d.length == t.shape().length;
    for (int i = 0; ok && i < d.length; i++) {
      ok = d[i] < 0 || d[i] == t.shape()[i];
    }
    if (!ok) {
      throw general("The input tensor size is not equal to the model input type: got " + Arrays.toString(t.shape())
          + " expecting " + port);
    }
  }

  private void requireIdle(EmRequest r) {
    if (r.running != null && !r.running.isDone()) {
      throw new OvError(REQUEST_BUSY, "Infer Request is busy");
    }
  }

  int ov_infer_request_set_tensor(MemorySegment request, MemorySegment name, MemorySegment tensor) {
    return guard("ov_infer_request_set_tensor", () -> {
      EmRequest r = live(request, "ov_infer_request_t", EmRequest.class);
      require(name);
      Tensor t = live(tensor, "ov_tensor_t", Tensor.class);
      String n = cString(name);
      synchronized (r) {
        requireIdle(r);
        List<Port> in = r.compiled.inputs();
        for (int i = 0; i < in.size(); i++) {
          if (in.get(i).name().equals(n)) {
            checkFits(in.get(i), t);
            r.inputs.put(i, t);
            return;
          }
        }
        List<Port> out = r.compiled.outputs();
        for (int i = 0; i < out.size(); i++) {
          if (out.get(i).name().equals(n)) {
            checkFits(out.get(i), t);
            r.outputs.put(i, t);
            return;
          }
        }
      }
      throw general("Port for tensor name " + n + " was not found.");
    });
  }

  int ov_infer_request_set_input_tensor_by_index(MemorySegment request, long index, MemorySegment tensor) {
    return guard("ov_infer_request_set_input_tensor_by_index", () -> {
      EmRequest r = live(request, "ov_infer_request_t", EmRequest.class);
      Tensor t = live(tensor, "ov_tensor_t", Tensor.class);
      synchronized (r) {
        requireIdle(r);
        if (index < 0 || index >= r.compiled.inputs().size()) {
          throw general("Input port for index " + index + " was not found!");
        }
        checkFits(r.compiled.inputs().get((int) index), t);
        r.inputs.put((int) index, t);
      }
    });
  }

  int ov_infer_request_set_output_tensor_by_index(MemorySegment request, long index, MemorySegment tensor) {
    return guard("ov_infer_request_set_output_tensor_by_index", () -> {
      EmRequest r = live(request, "ov_infer_request_t", EmRequest.class);
      Tensor t = live(tensor, "ov_tensor_t", Tensor.class);
      synchronized (r) {
        requireIdle(r);
        if (index < 0 || index >= r.compiled.outputs().size()) {
          throw general("Output port for index " + index + " was not found!");
        }
        checkFits(r.compiled.outputs().get((int) index), t);
        r.outputs.put((int) index, t);
      }
    });
  }

  int ov_infer_request_get_output_tensor_by_index(MemorySegment request, long index, MemorySegment out) {
    return guard("ov_infer_request_get_output_tensor_by_index", () -> {
      EmRequest r = live(request, "ov_infer_request_t", EmRequest.class);
      require(out);
      synchronized (r) {
        requireIdle(r);
        if (index < 0 || index >= r.compiled.outputs().size()) {
          throw general("Output port for index " + index + " was not found!");
        }
        Tensor t = r.outputs.get((int) index);
        if (t == null) {
          Port p = r.compiled.outputs().get((int) index);
          if (!p.isStatic()) {
            throw general("output " + p.name() + " has a dynamic shape and no inference has produced it yet");
          }
          t = newTensor(p.type(), p.dims());
          r.outputs.put((int) index, t);
        }
        writePointer(out, ledger.register(t, "ov_tensor_t"));
      }
    });
  }

  private Tensor newTensor(int type, long[] shape) {
    long bytes = product(shape) * elementSize(type);
    return new Tensor(type, shape, Arena.ofAuto().allocate(Math.max(1, bytes), 64));
  }

  int ov_infer_request_infer(MemorySegment request) {
    return guard("ov_infer_request_infer", () -> {
      EmRequest r = live(request, "ov_infer_request_t", EmRequest.class);
      synchronized (r) {
        requireIdle(r);
        Failure f = run(r);
        if (f != null) {
          throw new OvError(f.status(), f.message());
        }
      }
    });
  }

  int ov_infer_request_start_async(MemorySegment request) {
    return guard("ov_infer_request_start_async", () -> {
      EmRequest r = live(request, "ov_infer_request_t", EmRequest.class);
      synchronized (r) {
        requireIdle(r);
        r.running = async.submit(() -> {
          synchronized (r) {
            return run(r);
          }
        });
      }
    });
  }

  int ov_infer_request_wait(MemorySegment request) {
    return guard("ov_infer_request_wait", () -> {
      EmRequest r = live(request, "ov_infer_request_t", EmRequest.class);
      Future<Failure> f;
      synchronized (r) {
        f = r.running;
      }
      if (f == null) {
        return;
      }
      Failure failure = f.get();
      synchronized (r) {
        r.running = null;
      }
      if (failure != null) {
        throw new OvError(failure.status(), failure.message());
      }
    });
  }

  void ov_infer_request_free(MemorySegment request) {
    guardVoid("ov_infer_request_free", () -> {
      EmRequest r = ledger.get(request, "ov_infer_request_t", EmRequest.class);
      if (r != null && r.running != null && !r.running.isDone()) {
        ledger.violation("ov_infer_request_free while the request is running");
      }
      ledger.free(request, "ov_infer_request_t");
    });
  }

  /** One inference; the failure (status, message) or null. Caller holds the request's lock. */
  private Failure run(EmRequest r) {
    try {
      List<Port> in = r.compiled.inputs();
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      for (int i = 0; i < in.size(); i++) {
        Tensor t = r.inputs.get(i);
        if (t == null) {
          if (!in.get(i).isStatic()) {
            return new Failure(GENERAL_ERROR, "Exception from src/emulator: input " + in.get(i).name()
                + " has a dynamic shape and was never set");
          }
          t = newTensor(in.get(i).type(), in.get(i).dims());
          r.inputs.put(i, t);
        }
        feeds.put(in.get(i).name(), t);
      }
      try (OrtSession.Result res = r.compiled.network().run(feeds)) {
        List<Port> out = r.compiled.outputs();
        for (int j = 0; j < out.size(); j++) {
          OnnxTensor o = (OnnxTensor) res.get(out.get(j).name()).orElseThrow();
          long[] shape = o.getInfo().getShape();
          Tensor target = r.outputs.get(j);
          if (target == null || !Arrays.equals(target.shape(), shape)) {
            if (target != null && out.get(j).isStatic()) {
              return new Failure(GENERAL_ERROR, "Exception from src/emulator: output " + out.get(j).name()
                  + " computed as " + Arrays.toString(shape) + " but its tensor is " + Arrays.toString(target.shape()));
            }
            target = newTensor(out.get(j).type(), shape);
            r.outputs.put(j, target);
          }
          EmulatedNetwork.copyOut(o, target.data().reinterpret(product(shape) * elementSize(target.type())));
        }
      }
      inferences.incrementAndGet();
      return null;
    } catch (OrtException | RuntimeException e) {
      return new Failure(GENERAL_ERROR, "Exception from src/emulator: inference failed: " + e.getMessage());
    }
  }

  // ================================================================ ov_tensor.h

  int ov_tensor_create(int type, MemorySegment shape, MemorySegment out) {
    return guard("ov_tensor_create", () -> {
      require(out);
      long[] dims = readShape(shape);
      elementSize(type);
      writePointer(out, ledger.register(newTensor(type, dims), "ov_tensor_t"));
    });
  }

  int ov_tensor_create_from_host_ptr(int type, MemorySegment shape, MemorySegment host, MemorySegment out) {
    return guard("ov_tensor_create_from_host_ptr", () -> {
      require(host, out);
      long[] dims = readShape(shape);
      long bytes = product(dims) * elementSize(type);
      hostPointers.add(host.address());
      writePointer(out, ledger.register(new Tensor(type, dims, host.reinterpret(bytes)), "ov_tensor_t"));
    });
  }

  int ov_tensor_data(MemorySegment tensor, MemorySegment out) {
    return guard("ov_tensor_data", () -> {
      Tensor t = live(tensor, "ov_tensor_t", Tensor.class);
      require(out);
      writePointer(out, t.data());
    });
  }

  int ov_tensor_get_shape(MemorySegment tensor, MemorySegment out) {
    return guard("ov_tensor_get_shape", () -> {
      Tensor t = live(tensor, "ov_tensor_t", Tensor.class);
      require(out);
      writeShape(out, t.shape());
    });
  }

  int ov_tensor_get_element_type(MemorySegment tensor, MemorySegment out) {
    return guard("ov_tensor_get_element_type", () -> {
      Tensor t = live(tensor, "ov_tensor_t", Tensor.class);
      require(out);
      out.reinterpret(4).set(JAVA_INT, 0, t.type());
    });
  }

  void ov_tensor_free(MemorySegment tensor) {
    guardVoid("ov_tensor_free", () -> ledger.free(tensor, "ov_tensor_t"));
  }

  @Override
  public String toString() {
    return "OvEmulator[devices=" + devices + ", live=" + live() + "]";
  }
}
