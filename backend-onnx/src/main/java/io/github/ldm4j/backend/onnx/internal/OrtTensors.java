package io.github.ldm4j.backend.onnx.internal;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.github.ldm4j.spi.Feed;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Conversions between ldm4j tensors and ONNX Runtime tensors at the native boundary. Float32
 * inputs are wrapped without copying (the ONNX tensor reads the ldm4j tensor's off-heap memory,
 * which must stay reachable until the run ends); float16 is converted here so sampler maths stays
 * in float32. Every returned {@link OnnxTensor} is owned by the caller, who closes it.
 */
public final class OrtTensors {

  private OrtTensors() {}

  /** {@code t} as an ONNX tensor of element type {@code type} (FLOAT: zero-copy; FLOAT16: converted). */
  public static OnnxTensor floats(Tensor t, OnnxJavaType type) {
    long[] shape = t.shape().toLongArray();
    try {
      return switch (type) {
        case FLOAT -> OnnxTensor.createTensor(OrtRuntime.environment(), t.asFloatBuffer(), shape);
        case FLOAT16 -> {
          ShortBuffer sb = ByteBuffer.allocateDirect(t.size() * 2).order(ByteOrder.nativeOrder()).asShortBuffer();
          for (int i = 0; i < t.size(); i++) {
            sb.put(i, Float.floatToFloat16(t.get(i)));
          }
          yield OnnxTensor.createTensor(OrtRuntime.environment(), sb, shape, OnnxJavaType.FLOAT16);
        }
        default -> throw new IllegalArgumentException("cannot feed float data as " + type);
      };
    } catch (OrtException e) {
      throw new IllegalStateException("cannot create an ONNX tensor of shape " + t.shape() + ": " + e.getMessage(), e);
    }
  }

  /** Integer tensor {@code [rows, cols]} of INT32 or INT64 from {@code rows}. */
  public static OnnxTensor ints(int[][] rows, OnnxJavaType type) {
    int b = rows.length;
    int l = rows[0].length;
    long[] shape = {b, l};
    try {
      return switch (type) {
        case INT32 -> {
          IntBuffer ib = ByteBuffer.allocateDirect(b * l * 4).order(ByteOrder.nativeOrder()).asIntBuffer();
          for (int[] r : rows) {
            ib.put(r);
          }
          ib.rewind();
          yield OnnxTensor.createTensor(OrtRuntime.environment(), ib, shape);
        }
        case INT64 -> {
          LongBuffer lb = ByteBuffer.allocateDirect(b * l * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
          for (int[] r : rows) {
            for (int v : r) {
              lb.put(v);
            }
          }
          lb.rewind();
          yield OnnxTensor.createTensor(OrtRuntime.environment(), lb, shape);
        }
        default -> throw new IllegalArgumentException("cannot feed token ids as " + type);
      };
    } catch (OrtException e) {
      throw new IllegalStateException("cannot create an id tensor: " + e.getMessage(), e);
    }
  }

  /**
   * {@code feed} as an ONNX tensor of the input's declared element {@code type}.
   *
   * @throws IllegalArgumentException when the feed cannot be given as that type
   */
  public static OnnxTensor feed(Feed feed, OnnxJavaType type) {
    return switch (feed) {
      case Feed.Floats f -> floats(f.tensor(), type);
      case Feed.FloatValues f -> floats(Tensor.of(Shape.of(dims(f.shape())), f.values()), type);
      case Feed.Ints i -> ints(i.rows(), type);
      case Feed.Longs l -> {
        if (type != OnnxJavaType.INT64) {
          throw new IllegalArgumentException("cannot feed int64 values as " + type);
        }
        LongBuffer lb = ByteBuffer.allocateDirect(l.values().length * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
        lb.put(l.values()).rewind();
        try {
          yield OnnxTensor.createTensor(OrtRuntime.environment(), lb, l.shape());
        } catch (OrtException e) {
          throw new IllegalStateException("cannot create an int64 tensor: " + e.getMessage(), e);
        }
      }
    };
  }

  private static int[] dims(long[] shape) {
    int[] d = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      d[i] = Math.toIntExact(shape[i]);
    }
    return d;
  }

  /** Copies a float32 or float16 ONNX tensor into a new ldm4j tensor. */
  public static Tensor toTensor(OnnxTensor t, String what) {
    long[] s = t.getInfo().getShape();
    int[] dims = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      dims[i] = Math.toIntExact(s[i]);
    }
    Tensor out = Tensor.zeros(Shape.of(dims));
    switch (t.getInfo().type) {
      case FLOAT -> {
        FloatBuffer fb = t.getFloatBuffer();
        out.asFloatBuffer().put(fb);
      }
      case FLOAT16 -> {
        ShortBuffer sb = t.getShortBuffer();
        for (int i = 0; i < out.size(); i++) {
          out.set(i, Float.float16ToFloat(sb.get(i)));
        }
      }
      default -> throw new IllegalStateException(what + " has element type " + t.getInfo().type + ", expected float or float16");
    }
    return out;
  }
}
