package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * An {@code ov_compiled_model_t}: a model compiled for one device, the factory of infer requests.
 *
 * <p><b>Ownership:</b> owns its compiled model; {@link #close()} calls {@code
 * ov_compiled_model_free} once; close the infer requests first. Creating requests is thread-safe.
 */
public final class OvCompiledModel extends NativeHandle {

  private final String description;

  OvCompiledModel(OvApi api, MemorySegment compiled, String description) {
    super(api, compiled, "ov_compiled_model_t");
    this.description = description;
  }

  @Override
  protected void free(MemorySegment handle) {
    api.compiledFree(handle);
  }

  /** The model and device, for messages. */
  public String description() {
    return description;
  }

  /** The inputs in model order, with the shapes the compiled model takes. */
  public List<OvPortInfo> inputs() {
    return ports(api::compiledInputsSize, api::compiledInputByIndex);
  }

  /** The outputs in model order. */
  public List<OvPortInfo> outputs() {
    return ports(api::compiledOutputsSize, api::compiledOutputByIndex);
  }


  /** {@code ov_compiled_model_create_infer_request}. The caller owns the result. */
  public OvInferRequest createInferRequest() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = outPointer(arena);
      api.compiledCreateInferRequest(handle(), out);
      return new OvInferRequest(api, out.get(ADDRESS, 0));
    }
  }

  @Override
  public String toString() {
    return "OvCompiledModel[" + description + "]";
  }
}
