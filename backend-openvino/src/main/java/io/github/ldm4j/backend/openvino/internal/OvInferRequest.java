package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An {@code ov_infer_request_t}: one set of input/output tensors and one inference at a time.
 *
 * <p><b>Ownership:</b> owns its request; {@link #close()} calls {@code ov_infer_request_free} once.
 * Tensors set on it are shared with OpenVINO (the request keeps its own reference to the tensor
 * object, so the Java {@link OvTensor} may be closed after setting); memory behind a tensor made
 * with {@link OvTensor#wrap} must stay valid until the inference that reads it has finished. Not
 * thread-safe: one thread at a time (the backend pools requests).
 */
public final class OvInferRequest extends NativeHandle {

  OvInferRequest(OvApi api, MemorySegment request) {
    super(api, request, "ov_infer_request_t");
  }

  @Override
  protected void free(MemorySegment handle) {
    api.requestFree(handle);
  }

  /** {@code ov_infer_request_set_tensor}: sets the input or output tensor named {@code name}. */
  public void setTensor(String name, OvTensor tensor) {
    try (Arena arena = Arena.ofConfined()) {
      api.requestSetTensor(handle(), arena.allocateFrom(name), tensor.handle());
    }
  }

  /** {@code ov_infer_request_set_input_tensor_by_index}. */
  public void setInputTensor(int index, OvTensor tensor) {
    api.requestSetInputTensorByIndex(handle(), index, tensor.handle());
  }

  /** {@code ov_infer_request_set_output_tensor_by_index}: the inference writes into {@code tensor}. */
  public void setOutputTensor(int index, OvTensor tensor) {
    api.requestSetOutputTensorByIndex(handle(), index, tensor.handle());
  }

  /** {@code ov_infer_request_get_output_tensor_by_index}. The caller owns the returned tensor object. */
  public OvTensor outputTensor(int index) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = outPointer(arena);
      api.requestGetOutputTensorByIndex(handle(), index, out);
      return new OvTensor(api, out.get(ADDRESS, 0), MemorySegment.NULL);
    }
  }

  /** {@code ov_infer_request_infer}: runs synchronously. */
  public void infer() {
    api.requestInfer(handle());
  }

  /** {@code ov_infer_request_start_async}: starts; follow with {@link #await()}. */
  public void startAsync() {
    api.requestStartAsync(handle());
  }

  /** {@code ov_infer_request_wait}: blocks until the started inference ends, reporting its failure. */
  public void await() {
    api.requestWait(handle());
  }
}
