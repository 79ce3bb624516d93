package io.github.ldm4j.backend.openvino.emulator;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One ONNX file run by ONNX Runtime: what the emulator computes with. Declares the ports as
 * OpenVINO reads them from ONNX (names, element types, shapes with −1 for symbolic dimensions) and
 * runs inference on emulated tensors. Owns its session.
 */
@SuppressWarnings("restricted")
final class EmulatedNetwork implements AutoCloseable {

  /** A port: name, {@code ov_element_type_e} code, dims (−1 dynamic). */
  record Port(String name, int type, long[] dims) {
    Port {
      dims = dims.clone();
    }

    boolean isStatic() {
      return Arrays.stream(dims).allMatch(d -> d >= 0);
    }

    Port withDims(long[] d) {
      return new Port(name, type, d);
    }

    @Override
    public String toString() {
      return name + Arrays.toString(dims);
    }
  }

  /** A tensor as the emulator holds it: element type, shape and memory. */
  record Tensor(int type, long[] shape, MemorySegment data) {
    Tensor {
      shape = shape.clone();
    }
  }

  private final OrtSession session;
  private final String source;
  private final List<Port> inputs;
  private final List<Port> outputs;
  private final Map<String, Map<String, long[]>> outputShapeCache = new ConcurrentHashMap<>();

  private EmulatedNetwork(OrtSession session, String source) throws OrtException {
    this.session = session;
    this.source = source;
    this.inputs = ports(session.getInputInfo());
    this.outputs = ports(session.getOutputInfo());
  }

  static EmulatedNetwork open(OrtEnvironment env, String path) throws OrtException {
    return new EmulatedNetwork(env.createSession(path, new OrtSession.SessionOptions()), path);
  }

  static EmulatedNetwork open(OrtEnvironment env, byte[] model, String source) throws OrtException {
    return new EmulatedNetwork(env.createSession(model, new OrtSession.SessionOptions()), source);
  }

  private static List<Port> ports(Map<String, NodeInfo> infos) throws OrtException {
    List<Port> out = new ArrayList<>();
    for (NodeInfo n : infos.values()) {
      if (!(n.getInfo() instanceof TensorInfo ti)) {
        throw new OrtException("input " + n.getName() + " is not a tensor");
      }
      out.add(new Port(n.getName(), typeCode(ti.type), ti.getShape()));
    }
    return List.copyOf(out);
  }

  static int typeCode(OnnxJavaType t) throws OrtException {
    return switch (t) {
      case FLOAT -> OvEmulator.F32;
      case FLOAT16 -> OvEmulator.F16;
      case INT32 -> OvEmulator.I32;
      case INT64 -> OvEmulator.I64;
      case BOOL -> OvEmulator.BOOLEAN;
      default -> throw new OrtException("element type " + t + " is not emulated");
    };
  }

  static int elementSize(int type) {
    return switch (type) {
      case OvEmulator.F32, OvEmulator.I32 -> 4;
      case OvEmulator.F16 -> 2;
      case OvEmulator.I64 -> 8;
      case OvEmulator.BOOLEAN -> 1;
      default -> -1;
    };
  }

  String source() {
    return source;
  }

  List<Port> inputs() {
    return inputs;
  }

  List<Port> outputs() {
    return outputs;
  }

  /**
   * Output shapes for static input shapes, found once per input-shape set by a dry run on zeros —
   * the emulator's stand-in for OpenVINO's shape inference after a static reshape.
   */
  Map<String, long[]> outputShapes(List<Port> staticInputs) throws OrtException {
    StringBuilder key = new StringBuilder();
    staticInputs.forEach(p -> key.append(p).append(';'));
    Map<String, long[]> cached = outputShapeCache.get(key.toString());
    if (cached != null) {
      return cached;
    }
    Map<String, Tensor> zeros = new LinkedHashMap<>();
    try (Arena a = Arena.ofConfined()) {
      for (Port p : staticInputs) {
        long n = Arrays.stream(p.dims()).reduce(1, Math::multiplyExact);
        zeros.put(p.name(), new Tensor(p.type(), p.dims(), a.allocate(Math.max(1, n * elementSize(p.type())))));
      }
      Map<String, long[]> shapes = new LinkedHashMap<>();
      try (OrtSession.Result r = run(zeros)) {
        for (Port o : outputs) {
          shapes.put(o.name(), ((OnnxTensor) r.get(o.name()).orElseThrow()).getInfo().getShape());
        }
      }
      outputShapeCache.put(key.toString(), shapes);
      return shapes;
    }
  }

  /** Runs ONNX Runtime on {@code feeds} (by input name). The caller closes the result. */
  OrtSession.Result run(Map<String, Tensor> feeds) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> in = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
        in.put(e.getKey(), onnx(env, e.getValue()));
      }
      return session.run(in);
    } finally {
      in.values().forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor onnx(OrtEnvironment env, Tensor t) throws OrtException {
    long n = Arrays.stream(t.shape()).reduce(1, Math::multiplyExact);
    ByteBuffer bb = n == 0 ? ByteBuffer.allocateDirect(0)
        : t.data().reinterpret(n * elementSize(t.type())).asByteBuffer().order(ByteOrder.nativeOrder());
    return switch (t.type()) {
      case OvEmulator.F32 -> OnnxTensor.createTensor(env, bb.asFloatBuffer(), t.shape());
      case OvEmulator.I32 -> OnnxTensor.createTensor(env, bb.asIntBuffer(), t.shape());
      case OvEmulator.I64 -> OnnxTensor.createTensor(env, bb.asLongBuffer(), t.shape());
      case OvEmulator.F16 -> OnnxTensor.createTensor(env, bb, t.shape(), OnnxJavaType.FLOAT16);
      default -> throw new OrtException("element type " + t.type() + " cannot be fed");
    };
  }

  /** Copies an ONNX Runtime output's bytes into {@code target} (which must be large enough). */
  static void copyOut(OnnxValue value, MemorySegment target) {
    ByteBuffer bytes = ((OnnxTensor) value).getByteBuffer();
    MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, target, 0, bytes.remaining());
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
