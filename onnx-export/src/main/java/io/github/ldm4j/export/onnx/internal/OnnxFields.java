package io.github.ldm4j.export.onnx.internal;

/**
 * Field numbers (and the enum values written) of the {@code onnx.proto} messages that {@link
 * io.github.ldm4j.export.onnx.OnnxModelWriter} emits, from ONNX's {@code onnx/onnx.proto} (proto2,
 * IR version 8 and later; the same numbers as the generated {@code ai.onnx.proto.OnnxMl}).
 */
public final class OnnxFields {

  private OnnxFields() {
  }

  /** {@code ModelProto}. */
  public static final class Model {
    /** {@code int64 ir_version}. */
    public static final int IR_VERSION = 1;
    /** {@code string producer_name}. */
    public static final int PRODUCER_NAME = 2;
    /** {@code string producer_version}. */
    public static final int PRODUCER_VERSION = 3;
    /** {@code GraphProto graph}. */
    public static final int GRAPH = 7;
    /** {@code repeated OperatorSetIdProto opset_import}. */
    public static final int OPSET_IMPORT = 8;

    private Model() {
    }
  }

  /** {@code OperatorSetIdProto}. */
  public static final class OperatorSetId {
    /** {@code string domain}. */
    public static final int DOMAIN = 1;
    /** {@code int64 version}. */
    public static final int VERSION = 2;

    private OperatorSetId() {
    }
  }

  /** {@code GraphProto}. */
  public static final class Graph {
    /** {@code repeated NodeProto node}. */
    public static final int NODE = 1;
    /** {@code string name}. */
    public static final int NAME = 2;
    /** {@code repeated TensorProto initializer}. */
    public static final int INITIALIZER = 5;
    /** {@code repeated ValueInfoProto input}. */
    public static final int INPUT = 11;
    /** {@code repeated ValueInfoProto output}. */
    public static final int OUTPUT = 12;

    private Graph() {
    }
  }

  /** {@code NodeProto}. */
  public static final class Node {
    /** {@code repeated string input}. */
    public static final int INPUT = 1;
    /** {@code repeated string output}. */
    public static final int OUTPUT = 2;
    /** {@code string name}. */
    public static final int NAME = 3;
    /** {@code string op_type}. */
    public static final int OP_TYPE = 4;
    /** {@code repeated AttributeProto attribute}. */
    public static final int ATTRIBUTE = 5;
    /** {@code string domain}. */
    public static final int DOMAIN = 7;

    private Node() {
    }
  }

  /** {@code AttributeProto}. */
  public static final class Attribute {
    /** {@code string name}. */
    public static final int NAME = 1;
    /** {@code float f}. */
    public static final int F = 2;
    /** {@code int64 i}. */
    public static final int I = 3;
    /** {@code bytes s}. */
    public static final int S = 4;
    /** {@code repeated float floats} (not packed). */
    public static final int FLOATS = 7;
    /** {@code repeated int64 ints} (not packed). */
    public static final int INTS = 8;
    /** {@code AttributeType type}. */
    public static final int TYPE = 20;

    /** {@code AttributeType.FLOAT}. */
    public static final int TYPE_FLOAT = 1;
    /** {@code AttributeType.INT}. */
    public static final int TYPE_INT = 2;
    /** {@code AttributeType.STRING}. */
    public static final int TYPE_STRING = 3;
    /** {@code AttributeType.FLOATS}. */
    public static final int TYPE_FLOATS = 6;
    /** {@code AttributeType.INTS}. */
    public static final int TYPE_INTS = 7;

    private Attribute() {
    }
  }

  /** {@code TensorProto}. */
  public static final class Tensor {
    /** {@code repeated int64 dims} (not packed). */
    public static final int DIMS = 1;
    /** {@code int32 data_type}. */
    public static final int DATA_TYPE = 2;
    /** {@code string name}. */
    public static final int NAME = 8;
    /** {@code bytes raw_data}. */
    public static final int RAW_DATA = 9;
    /** {@code repeated StringStringEntryProto external_data}. */
    public static final int EXTERNAL_DATA = 13;
    /** {@code DataLocation data_location}. */
    public static final int DATA_LOCATION = 14;

    /** {@code DataLocation.EXTERNAL}. */
    public static final int LOCATION_EXTERNAL = 1;

    private Tensor() {
    }
  }

  /** {@code StringStringEntryProto}. */
  public static final class StringStringEntry {
    /** {@code string key}. */
    public static final int KEY = 1;
    /** {@code string value}. */
    public static final int VALUE = 2;

    private StringStringEntry() {
    }
  }

  /** {@code ValueInfoProto}. */
  public static final class ValueInfo {
    /** {@code string name}. */
    public static final int NAME = 1;
    /** {@code TypeProto type}. */
    public static final int TYPE = 2;

    private ValueInfo() {
    }
  }

  /** {@code TypeProto}. */
  public static final class Type {
    /** {@code Tensor tensor_type} (of the {@code value} oneof). */
    public static final int TENSOR_TYPE = 1;

    private Type() {
    }
  }

  /** {@code TypeProto.Tensor}. */
  public static final class TensorType {
    /** {@code int32 elem_type}. */
    public static final int ELEM_TYPE = 1;
    /** {@code TensorShapeProto shape}. */
    public static final int SHAPE = 2;

    private TensorType() {
    }
  }

  /** {@code TensorShapeProto}. */
  public static final class TensorShape {
    /** {@code repeated Dimension dim}. */
    public static final int DIM = 1;

    private TensorShape() {
    }
  }

  /** {@code TensorShapeProto.Dimension}. */
  public static final class Dimension {
    /** {@code int64 dim_value} (of the {@code value} oneof). */
    public static final int DIM_VALUE = 1;
    /** {@code string dim_param} (of the {@code value} oneof). */
    public static final int DIM_PARAM = 2;

    private Dimension() {
    }
  }
}
