package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * Memory layouts of the C API structs ldm4j exchanges, as facts from the OpenVINO 2024.x headers
 * ({@code ov_shape.h}, {@code ov_dimension.h}, {@code ov_rank.h}, {@code ov_partial_shape.h},
 * {@code ov_core.h}). {@code size_t} and {@code int64_t} are 8 bytes, pointers are 8 bytes: the
 * binding supports 64-bit platforms only.
 */
public final class OvLayouts {

  private OvLayouts() {}

  /** {@code ov_dimension_t { int64_t min; int64_t max; }}: a static dimension has min == max; max −1 = unbounded. */
  public static final StructLayout DIMENSION =
      MemoryLayout.structLayout(JAVA_LONG.withName("min"), JAVA_LONG.withName("max")).withName("ov_dimension_t");

  /** {@code ov_rank_t} is a typedef of {@code ov_dimension_t}. */
  public static final StructLayout RANK = DIMENSION.withName("ov_rank_t");

  /** {@code ov_shape_t { int64_t rank; int64_t* dims; }} (16 bytes). */
  public static final StructLayout SHAPE =
      MemoryLayout.structLayout(JAVA_LONG.withName("rank"), ADDRESS.withName("dims")).withName("ov_shape_t");

  /** {@code ov_partial_shape_t { ov_rank_t rank; ov_dimension_t* dims; }} (24 bytes). */
  public static final StructLayout PARTIAL_SHAPE =
      MemoryLayout.structLayout(RANK.withName("rank"), ADDRESS.withName("dims")).withName("ov_partial_shape_t");

  /** {@code ov_version_t { const char* buildNumber; const char* description; }}. */
  public static final StructLayout VERSION =
      MemoryLayout.structLayout(ADDRESS.withName("buildNumber"), ADDRESS.withName("description")).withName("ov_version_t");

  /** {@code ov_available_devices_t { char** devices; size_t size; }}. */
  public static final StructLayout AVAILABLE_DEVICES =
      MemoryLayout.structLayout(ADDRESS.withName("devices"), JAVA_LONG.withName("size")).withName("ov_available_devices_t");

  static final VarHandle SHAPE_RANK = SHAPE.varHandle(MemoryLayout.PathElement.groupElement("rank"));
  static final VarHandle SHAPE_DIMS = SHAPE.varHandle(MemoryLayout.PathElement.groupElement("dims"));
  static final VarHandle PARTIAL_RANK_MIN = PARTIAL_SHAPE.varHandle(
      MemoryLayout.PathElement.groupElement("rank"), MemoryLayout.PathElement.groupElement("min"));
  static final VarHandle PARTIAL_RANK_MAX = PARTIAL_SHAPE.varHandle(
      MemoryLayout.PathElement.groupElement("rank"), MemoryLayout.PathElement.groupElement("max"));
  static final VarHandle PARTIAL_DIMS = PARTIAL_SHAPE.varHandle(MemoryLayout.PathElement.groupElement("dims"));
  static final VarHandle DIM_MIN = DIMENSION.varHandle(MemoryLayout.PathElement.groupElement("min"));
  static final VarHandle DIM_MAX = DIMENSION.varHandle(MemoryLayout.PathElement.groupElement("max"));
  static final VarHandle VERSION_BUILD = VERSION.varHandle(MemoryLayout.PathElement.groupElement("buildNumber"));
  static final VarHandle VERSION_DESCRIPTION = VERSION.varHandle(MemoryLayout.PathElement.groupElement("description"));
  static final VarHandle DEVICES_ARRAY = AVAILABLE_DEVICES.varHandle(MemoryLayout.PathElement.groupElement("devices"));
  static final VarHandle DEVICES_SIZE = AVAILABLE_DEVICES.varHandle(MemoryLayout.PathElement.groupElement("size"));

  static {
    if (ADDRESS.byteSize() != 8) {
      throw new ExceptionInInitializerError("ldm4j's OpenVINO binding needs a 64-bit platform");
    }
  }
}
