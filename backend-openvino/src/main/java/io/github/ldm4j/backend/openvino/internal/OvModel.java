package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * An {@code ov_model_t}: a read, not yet compiled network, whose inputs can be reshaped.
 *
 * <p><b>Ownership:</b> owns its model; {@link #close()} calls {@code ov_model_free} once. Not
 * thread-safe: {@link #reshape} mutates the model, so callers serialise reshape-and-compile.
 */
public final class OvModel extends NativeHandle {

  private final String description;

  OvModel(OvApi api, MemorySegment model, String description) {
    super(api, model, "ov_model_t");
    this.description = description;
  }

  @Override
  protected void free(MemorySegment handle) {
    api.modelFree(handle);
  }

  /** Where the model came from, for messages. */
  public String description() {
    return description;
  }

  /** The inputs in model order. */
  public List<OvPortInfo> inputs() {
    return ports(api::modelInputsSize, api::modelConstInputByIndex);
  }

  /** The outputs in model order. */
  public List<OvPortInfo> outputs() {
    return ports(api::modelOutputsSize, api::modelConstOutputByIndex);
  }


  /** {@code ov_model_is_dynamic}: whether any operation has a dynamic shape. */
  public boolean isDynamic() {
    return api.modelIsDynamic(handle());
  }

  /** {@code ov_model_reshape}: gives the named inputs new (partial) shapes, propagated through the model. */
  public void reshape(Map<String, PartialShape> shapes) {
    if (shapes.isEmpty()) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment names = arena.allocate(ADDRESS, shapes.size());
      MemorySegment partials = arena.allocate(OvLayouts.PARTIAL_SHAPE, shapes.size());
      int i = 0;
      for (Map.Entry<String, PartialShape> e : shapes.entrySet()) {
        names.setAtIndex(ADDRESS, i, arena.allocateFrom(e.getKey()));
        e.getValue().write(partials.asSlice(i * OvLayouts.PARTIAL_SHAPE.byteSize(), OvLayouts.PARTIAL_SHAPE), arena);
        i++;
      }
      api.modelReshape(handle(), names, partials, shapes.size());
    }
  }

  @Override
  public String toString() {
    return "OvModel[" + description + "]";
  }
}
