package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.ldm4j.backend.openvino.OpenVinoException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Downcall handles for the subset of the OpenVINO C API ({@code libopenvino_c}) that ldm4j uses,
 * declared by hand from the OpenVINO 2024.x headers {@code openvino/c/*.h} and resolved through a
 * {@link SymbolLookup} — the real library's, or a test emulator's.
 *
 * <p>Each method calls exactly one C function and turns a non-{@code OK} status into an {@link
 * OpenVinoException} carrying the status and {@code ov_get_last_err_msg}. Memory passed in belongs
 * to the caller; nothing here allocates on the Java side. Thread-safe (the handles are immutable);
 * the thread-safety of the objects the calls act on is OpenVINO's.
 */
@SuppressWarnings("restricted")
public final class OvApi {

  /**
   * How many key/value property pairs one {@code ov_core_compile_model} call can pass. The variadic
   * part of every call is padded to this many pairs with NULLs, which C allows (surplus variadic
   * arguments are never read: the callee reads {@code property_args_size} of them), so that one
   * downcall shape serves every call.
   */
  public static final int MAX_PROPERTY_PAIRS = 8;

  /** The first OpenVINO release whose C API has every function this binding needs. */
  public static final String MINIMUM_VERSION = "2024.0";

  private static final Linker LINKER = Linker.nativeLinker();
  private static final int COMPILE_FIXED_ARGS = 5;

  private final String library;
  private final MethodHandle getVersion;
  private final MethodHandle versionFree;
  private final MethodHandle coreCreate;
  private final MethodHandle coreFree;
  private final MethodHandle coreReadModel;
  private final MethodHandle coreReadModelFromMemory;
  private final MethodHandle coreCompileModel;
  private final MethodHandle coreAvailableDevices;
  private final MethodHandle availableDevicesFree;
  private final MethodHandle modelFree;
  private final MethodHandle modelInputsSize;
  private final MethodHandle modelOutputsSize;
  private final MethodHandle modelConstInputByIndex;
  private final MethodHandle modelConstOutputByIndex;
  private final MethodHandle modelReshape;
  private final MethodHandle modelIsDynamic;
  private final MethodHandle portGetAnyName;
  private final MethodHandle portGetPartialShape;
  private final MethodHandle portGetElementType;
  private final MethodHandle constPortFree;
  private final MethodHandle partialShapeFree;
  private final MethodHandle shapeFree;
  private final MethodHandle compiledInputsSize;
  private final MethodHandle compiledOutputsSize;
  private final MethodHandle compiledInputByIndex;
  private final MethodHandle compiledOutputByIndex;
  private final MethodHandle compiledCreateInferRequest;
  private final MethodHandle compiledFree;
  private final MethodHandle requestSetTensor;
  private final MethodHandle requestSetInputTensorByIndex;
  private final MethodHandle requestSetOutputTensorByIndex;
  private final MethodHandle requestGetOutputTensorByIndex;
  private final MethodHandle requestInfer;
  private final MethodHandle requestStartAsync;
  private final MethodHandle requestWait;
  private final MethodHandle requestFree;
  private final MethodHandle tensorCreate;
  private final MethodHandle tensorCreateFromHostPtr;
  private final MethodHandle tensorData;
  private final MethodHandle tensorGetShape;
  private final MethodHandle tensorGetElementType;
  private final MethodHandle tensorFree;
  private final MethodHandle getLastErrMsg;
  private final MethodHandle free;

  /**
   * Resolves every function in {@code lookup}.
   *
   * @param library what the lookup is, for messages (a library path, "emulator")
   * @throws MissingSymbolsException naming every function the library lacks
   */
  public OvApi(SymbolLookup lookup, String library) {
    this.library = library;
    Resolver r = new Resolver(lookup);
    FunctionDescriptor statusP = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    FunctionDescriptor statusPP = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    FunctionDescriptor statusPLP = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS);
    FunctionDescriptor statusPPP = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    FunctionDescriptor voidP = FunctionDescriptor.ofVoid(ADDRESS);
    getVersion = r.get("ov_get_openvino_version", statusP);
    versionFree = r.get("ov_version_free", voidP);
    coreCreate = r.get("ov_core_create", statusP);
    coreFree = r.get("ov_core_free", voidP);
    coreReadModel = r.get("ov_core_read_model", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    coreReadModelFromMemory = r.get("ov_core_read_model_from_memory_buffer",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    MemoryLayout[] compileArgs = new MemoryLayout[COMPILE_FIXED_ARGS + 2 * MAX_PROPERTY_PAIRS];
    Arrays.fill(compileArgs, ADDRESS);
    compileArgs[3] = JAVA_LONG;
    coreCompileModel = r.get("ov_core_compile_model", FunctionDescriptor.of(JAVA_INT, compileArgs),
        Linker.Option.firstVariadicArg(COMPILE_FIXED_ARGS));
    coreAvailableDevices = r.get("ov_core_get_available_devices", statusPP);
    availableDevicesFree = r.get("ov_available_devices_free", voidP);
    modelFree = r.get("ov_model_free", voidP);
    modelInputsSize = r.get("ov_model_inputs_size", statusPP);
    modelOutputsSize = r.get("ov_model_outputs_size", statusPP);
    modelConstInputByIndex = r.get("ov_model_const_input_by_index", statusPLP);
    modelConstOutputByIndex = r.get("ov_model_const_output_by_index", statusPLP);
    modelReshape = r.get("ov_model_reshape", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    modelIsDynamic = r.get("ov_model_is_dynamic", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    portGetAnyName = r.get("ov_port_get_any_name", statusPP);
    portGetPartialShape = r.get("ov_port_get_partial_shape", statusPP);
    portGetElementType = r.get("ov_port_get_element_type", statusPP);
    constPortFree = r.get("ov_output_const_port_free", voidP);
    partialShapeFree = r.get("ov_partial_shape_free", voidP);
    shapeFree = r.get("ov_shape_free", statusP);
    compiledInputsSize = r.get("ov_compiled_model_inputs_size", statusPP);
    compiledOutputsSize = r.get("ov_compiled_model_outputs_size", statusPP);
    compiledInputByIndex = r.get("ov_compiled_model_input_by_index", statusPLP);
    compiledOutputByIndex = r.get("ov_compiled_model_output_by_index", statusPLP);
    compiledCreateInferRequest = r.get("ov_compiled_model_create_infer_request", statusPP);
    compiledFree = r.get("ov_compiled_model_free", voidP);
    requestSetTensor = r.get("ov_infer_request_set_tensor", statusPPP);
    requestSetInputTensorByIndex = r.get("ov_infer_request_set_input_tensor_by_index", statusPLP);
    requestSetOutputTensorByIndex = r.get("ov_infer_request_set_output_tensor_by_index", statusPLP);
    requestGetOutputTensorByIndex = r.get("ov_infer_request_get_output_tensor_by_index", statusPLP);
    requestInfer = r.get("ov_infer_request_infer", statusP);
    requestStartAsync = r.get("ov_infer_request_start_async", statusP);
    requestWait = r.get("ov_infer_request_wait", statusP);
    requestFree = r.get("ov_infer_request_free", voidP);
    tensorCreate = r.get("ov_tensor_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, OvLayouts.SHAPE, ADDRESS));
    tensorCreateFromHostPtr = r.get("ov_tensor_create_from_host_ptr",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, OvLayouts.SHAPE, ADDRESS, ADDRESS));
    tensorData = r.get("ov_tensor_data", statusPP);
    tensorGetShape = r.get("ov_tensor_get_shape", statusPP);
    tensorGetElementType = r.get("ov_tensor_get_element_type", statusPP);
    tensorFree = r.get("ov_tensor_free", voidP);
    getLastErrMsg = r.get("ov_get_last_err_msg", FunctionDescriptor.of(ADDRESS));
    free = r.get("ov_free", voidP);
    if (!r.missing.isEmpty()) {
      throw new MissingSymbolsException(library, r.missing);
    }
  }

  /** What this binding was resolved against (a library path, "emulator"). */
  public String library() {
    return library;
  }

  /** Thrown when the library lacks functions: an OpenVINO older than {@link #MINIMUM_VERSION} or not OpenVINO at all. */
  public static final class MissingSymbolsException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> missing;

    MissingSymbolsException(String library, List<String> missing) {
      super("the OpenVINO C library " + library + " lacks " + missing.size() + " function(s) ldm4j needs: "
          + String.join(", ", missing) + ". ldm4j binds the C API of OpenVINO " + MINIMUM_VERSION
          + " or newer; install a current OpenVINO runtime (see backend-openvino/README.md)");
      this.missing = List.copyOf(missing);
    }

    /** The functions the library lacks. */
    public List<String> missing() {
      return missing;
    }
  }

  private static final class Resolver {
    private final SymbolLookup lookup;
    private final List<String> missing = new ArrayList<>();

    Resolver(SymbolLookup lookup) {
      this.lookup = lookup;
    }

    MethodHandle get(String name, FunctionDescriptor fd, Linker.Option... options) {
      Optional<MemorySegment> s = lookup.find(name);
      if (s.isEmpty()) {
        missing.add(name);
        return null;
      }
      return LINKER.downcallHandle(s.get(), fd, options);
    }
  }

  // ------------------------------------------------------------------ errors

  /** Throws {@link OpenVinoException} when {@code status} is not OK. */
  void check(int status, String function) {
    if (status != OvStatus.OK.code()) {
      throw new OpenVinoException(function, status, lastErrorMessage());
    }
  }

  /** {@code ov_get_last_err_msg}, copied and freed with {@code ov_free}; empty when there is none. */
  public String lastErrorMessage() {
    try {
      MemorySegment p = (MemorySegment) getLastErrMsg.invokeExact();
      if (p.equals(MemorySegment.NULL)) {
        return "";
      }
      try {
        return p.reinterpret(Long.MAX_VALUE).getString(0);
      } finally {
        free.invokeExact(p);
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  /** {@code ov_free} of a string the library allocated. */
  public void free(MemorySegment p) {
    try {
      free.invokeExact(p);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Reads a NUL-terminated string the library returned. */
  static String string(MemorySegment p) {
    return p.equals(MemorySegment.NULL) ? "" : p.reinterpret(Long.MAX_VALUE).getString(0);
  }

  // ------------------------------------------------------------------ version, core

  /** {@code ov_get_openvino_version} into {@code version} (an {@link OvLayouts#VERSION}). */
  void getVersion(MemorySegment version) {
    try {
      check((int) getVersion.invokeExact(version), "ov_get_openvino_version");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void versionFree(MemorySegment version) {
    try {
      versionFree.invokeExact(version);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void coreCreate(MemorySegment out) {
    try {
      check((int) coreCreate.invokeExact(out), "ov_core_create");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void coreFree(MemorySegment core) {
    try {
      coreFree.invokeExact(core);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void coreReadModel(MemorySegment core, MemorySegment path, MemorySegment bin, MemorySegment out) {
    try {
      check((int) coreReadModel.invokeExact(core, path, bin, out), "ov_core_read_model");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void coreReadModelFromMemory(MemorySegment core, MemorySegment model, long length, MemorySegment weights, MemorySegment out) {
    try {
      check((int) coreReadModelFromMemory.invokeExact(core, model, length, weights, out),
          "ov_core_read_model_from_memory_buffer");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code ov_core_compile_model(core, model, device, 2·n, out, key₁, value₁, …)} with the pairs of
   * {@code properties} (NUL-terminated strings the caller allocated), padded with NULLs to {@link
   * #MAX_PROPERTY_PAIRS}.
   */
  void coreCompileModel(MemorySegment core, MemorySegment model, MemorySegment device,
      Map<MemorySegment, MemorySegment> properties, MemorySegment out) {
    if (properties.size() > MAX_PROPERTY_PAIRS) {
      throw new IllegalArgumentException(
          properties.size() + " compile properties given; this binding passes at most " + MAX_PROPERTY_PAIRS);
    }
    Object[] args = new Object[COMPILE_FIXED_ARGS + 2 * MAX_PROPERTY_PAIRS];
    args[0] = core;
    args[1] = model;
    args[2] = device;
    args[3] = 2L * properties.size();
    args[4] = out;
    Arrays.fill(args, COMPILE_FIXED_ARGS, args.length, MemorySegment.NULL);
    int i = COMPILE_FIXED_ARGS;
    for (Map.Entry<MemorySegment, MemorySegment> e : new LinkedHashMap<>(properties).entrySet()) {
      args[i++] = e.getKey();
      args[i++] = e.getValue();
    }
    try {
      check((int) coreCompileModel.invokeWithArguments(args), "ov_core_compile_model");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void coreAvailableDevices(MemorySegment core, MemorySegment devices) {
    try {
      check((int) coreAvailableDevices.invokeExact(core, devices), "ov_core_get_available_devices");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void availableDevicesFree(MemorySegment devices) {
    try {
      availableDevicesFree.invokeExact(devices);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ------------------------------------------------------------------ model, ports

  void modelFree(MemorySegment model) {
    try {
      modelFree.invokeExact(model);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void modelInputsSize(MemorySegment model, MemorySegment out) {
    try {
      check((int) modelInputsSize.invokeExact(model, out), "ov_model_inputs_size");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void modelOutputsSize(MemorySegment model, MemorySegment out) {
    try {
      check((int) modelOutputsSize.invokeExact(model, out), "ov_model_outputs_size");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void modelConstInputByIndex(MemorySegment model, long index, MemorySegment out) {
    try {
      check((int) modelConstInputByIndex.invokeExact(model, index, out), "ov_model_const_input_by_index");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void modelConstOutputByIndex(MemorySegment model, long index, MemorySegment out) {
    try {
      check((int) modelConstOutputByIndex.invokeExact(model, index, out), "ov_model_const_output_by_index");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void modelReshape(MemorySegment model, MemorySegment names, MemorySegment shapes, long count) {
    try {
      check((int) modelReshape.invokeExact(model, names, shapes, count), "ov_model_reshape");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  boolean modelIsDynamic(MemorySegment model) {
    try {
      return (boolean) modelIsDynamic.invokeExact(model);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void portGetAnyName(MemorySegment port, MemorySegment out) {
    try {
      check((int) portGetAnyName.invokeExact(port, out), "ov_port_get_any_name");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void portGetPartialShape(MemorySegment port, MemorySegment out) {
    try {
      check((int) portGetPartialShape.invokeExact(port, out), "ov_port_get_partial_shape");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void portGetElementType(MemorySegment port, MemorySegment out) {
    try {
      check((int) portGetElementType.invokeExact(port, out), "ov_port_get_element_type");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void constPortFree(MemorySegment port) {
    try {
      constPortFree.invokeExact(port);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void partialShapeFree(MemorySegment partialShape) {
    try {
      partialShapeFree.invokeExact(partialShape);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void shapeFree(MemorySegment shape) {
    try {
      check((int) shapeFree.invokeExact(shape), "ov_shape_free");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ------------------------------------------------------------------ compiled model

  void compiledInputsSize(MemorySegment compiled, MemorySegment out) {
    try {
      check((int) compiledInputsSize.invokeExact(compiled, out), "ov_compiled_model_inputs_size");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void compiledOutputsSize(MemorySegment compiled, MemorySegment out) {
    try {
      check((int) compiledOutputsSize.invokeExact(compiled, out), "ov_compiled_model_outputs_size");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void compiledInputByIndex(MemorySegment compiled, long index, MemorySegment out) {
    try {
      check((int) compiledInputByIndex.invokeExact(compiled, index, out), "ov_compiled_model_input_by_index");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void compiledOutputByIndex(MemorySegment compiled, long index, MemorySegment out) {
    try {
      check((int) compiledOutputByIndex.invokeExact(compiled, index, out), "ov_compiled_model_output_by_index");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void compiledCreateInferRequest(MemorySegment compiled, MemorySegment out) {
    try {
      check((int) compiledCreateInferRequest.invokeExact(compiled, out), "ov_compiled_model_create_infer_request");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void compiledFree(MemorySegment compiled) {
    try {
      compiledFree.invokeExact(compiled);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ------------------------------------------------------------------ infer request

  void requestSetTensor(MemorySegment request, MemorySegment name, MemorySegment tensor) {
    try {
      check((int) requestSetTensor.invokeExact(request, name, tensor), "ov_infer_request_set_tensor");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void requestSetInputTensorByIndex(MemorySegment request, long index, MemorySegment tensor) {
    try {
      check((int) requestSetInputTensorByIndex.invokeExact(request, index, tensor),
          "ov_infer_request_set_input_tensor_by_index");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void requestSetOutputTensorByIndex(MemorySegment request, long index, MemorySegment tensor) {
    try {
      check((int) requestSetOutputTensorByIndex.invokeExact(request, index, tensor),
          "ov_infer_request_set_output_tensor_by_index");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void requestGetOutputTensorByIndex(MemorySegment request, long index, MemorySegment out) {
    try {
      check((int) requestGetOutputTensorByIndex.invokeExact(request, index, out),
          "ov_infer_request_get_output_tensor_by_index");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void requestInfer(MemorySegment request) {
    try {
      check((int) requestInfer.invokeExact(request), "ov_infer_request_infer");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void requestStartAsync(MemorySegment request) {
    try {
      check((int) requestStartAsync.invokeExact(request), "ov_infer_request_start_async");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void requestWait(MemorySegment request) {
    try {
      check((int) requestWait.invokeExact(request), "ov_infer_request_wait");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void requestFree(MemorySegment request) {
    try {
      requestFree.invokeExact(request);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ------------------------------------------------------------------ tensor

  void tensorCreate(int elementType, MemorySegment shape, MemorySegment out) {
    try {
      check((int) tensorCreate.invokeExact(elementType, shape, out), "ov_tensor_create");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void tensorCreateFromHostPtr(int elementType, MemorySegment shape, MemorySegment host, MemorySegment out) {
    try {
      check((int) tensorCreateFromHostPtr.invokeExact(elementType, shape, host, out), "ov_tensor_create_from_host_ptr");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void tensorData(MemorySegment tensor, MemorySegment out) {
    try {
      check((int) tensorData.invokeExact(tensor, out), "ov_tensor_data");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void tensorGetShape(MemorySegment tensor, MemorySegment out) {
    try {
      check((int) tensorGetShape.invokeExact(tensor, out), "ov_tensor_get_shape");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void tensorGetElementType(MemorySegment tensor, MemorySegment out) {
    try {
      check((int) tensorGetElementType.invokeExact(tensor, out), "ov_tensor_get_element_type");
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  void tensorFree(MemorySegment tensor) {
    try {
      tensorFree.invokeExact(tensor);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }
}
