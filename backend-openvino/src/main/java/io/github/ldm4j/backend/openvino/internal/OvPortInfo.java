package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What a model or compiled model says about one input or output: its tensor name, element type
 * and partial shape, copied out of the native port (which is freed right after).
 *
 * @param index the port index
 * @param name the tensor's name ({@code ov_port_get_any_name})
 * @param type the element type
 * @param shape the partial shape
 */
public record OvPortInfo(int index, String name, OvElementType type, PartialShape shape) {

  /**
   * Reads the const port at {@code port} and frees it ({@code ov_output_const_port_free}), also on
   * failure.
   */
  static OvPortInfo readAndFree(OvApi api, int index, MemorySegment port) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment nameOut = NativeHandle.outPointer(arena);
      api.portGetAnyName(port, nameOut);
      MemorySegment namePtr = nameOut.get(ADDRESS, 0);
      String name;
      try {
        name = OvApi.string(namePtr);
      } finally {
        api.free(namePtr);
      }
      MemorySegment typeOut = arena.allocate(JAVA_INT);
      api.portGetElementType(port, typeOut);
      OvElementType type = OvElementType.fromCode(typeOut.get(JAVA_INT, 0));
      MemorySegment ps = arena.allocate(OvLayouts.PARTIAL_SHAPE);
      api.portGetPartialShape(port, ps);
      PartialShape shape;
      try {
        shape = PartialShape.read(ps);
      } finally {
        api.partialShapeFree(ps);
      }
      return new OvPortInfo(index, name, type, shape);
    } finally {
      api.constPortFree(port);
    }
  }

  /** Whether the element type is F32 or F16. */
  public boolean isFloating() {
    return type.isFloating();
  }

  @Override
  public String toString() {
    return name + ":" + type + shape;
  }
}
