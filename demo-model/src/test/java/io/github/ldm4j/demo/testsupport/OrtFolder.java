package io.github.ldm4j.demo.testsupport;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.ElementType;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test helper: ONNX Runtime sessions over a generated model folder, converting to and from the
 * flavor's dtypes (fp16, int32/int64 ids, scalar/[B]/int64 timesteps). Owns its sessions.
 */
public final class OrtFolder implements AutoCloseable {

  /** A float tensor result with its shape. */
  public record Out(float[] data, long[] shape) { }

  public static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

  private final ExportFlavor flavor;
  private final Precision precision;
  private final Map<String, OrtSession> sessions = new LinkedHashMap<>();

  public OrtFolder(Path root, ExportFlavor flavor, Precision precision) throws OrtException {
    this.flavor = flavor;
    this.precision = precision;
    for (String c : new String[] {"text_encoder", "unet", "vae_decoder", "vae_encoder"}) {
      Path model = root.resolve(c).resolve("model.onnx");
      if (Files.exists(model)) {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        opts.setIntraOpNumThreads(2);
        sessions.put(c, ENV.createSession(model.toString(), opts));
      }
    }
  }

  public OrtSession session(String component) {
    OrtSession s = sessions.get(component);
    if (s == null) {
      throw new IllegalArgumentException("no component " + component);
    }
    return s;
  }

  /** Runs the text encoder on ids [B, L]; returns last_hidden_state and pooler_output. */
  public Out[] encodeText(long[][] ids) throws OrtException {
    int b = ids.length;
    int l = ids[0].length;
    long[] shape = {b, l};
    OnnxTensor in;
    if (flavor.inputIdsType() == ElementType.INT32) {
      int[] flat = new int[b * l];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < l; j++) {
          flat[i * l + j] = Math.toIntExact(ids[i][j]);
        }
      }
      in = OnnxTensor.createTensor(ENV, IntBuffer.wrap(flat), shape);
    } else {
      long[] flat = new long[b * l];
      for (int i = 0; i < b; i++) {
        System.arraycopy(ids[i], 0, flat, i * l, l);
      }
      in = OnnxTensor.createTensor(ENV, LongBuffer.wrap(flat), shape);
    }
    try (in; OrtSession.Result r = session("text_encoder").run(Map.of("input_ids", in))) {
      return new Out[] {read(r, "last_hidden_state"), read(r, "pooler_output")};
    }
  }

  /** Runs the UNet with one timestep for the whole batch, passed in the flavor's form. */
  public Out unet(float[] sample, long[] sampleShape, double t, float[] context, long[] contextShape)
      throws OrtException {
    return unet(sample, sampleShape, new double[] {t}, context, contextShape);
  }

  /**
   * Runs the UNet; {@code t} has one entry (broadcast) or one per batch item (not for the scalar
   * optimum flavor).
   */
  public Out unet(float[] sample, long[] sampleShape, double[] t, float[] context, long[] contextShape)
      throws OrtException {
    OnnxTensor ts;
    switch (flavor) {
      case LEGACY -> ts = floatTensor(toFloats(t), new long[] {t.length});
      case OPTIMUM -> {
        if (t.length != 1) {
          throw new IllegalArgumentException("optimum timestep is a scalar");
        }
        ts = floatTensor(toFloats(t), new long[0]);
      }
      case OPENVINO -> {
        long[] lt = new long[t.length];
        for (int i = 0; i < t.length; i++) {
          if (t[i] != Math.rint(t[i])) {
            throw new IllegalArgumentException("int64 timestep needs integers, got " + t[i]);
          }
          lt[i] = (long) t[i];
        }
        ts = OnnxTensor.createTensor(ENV, LongBuffer.wrap(lt), new long[] {t.length});
      }
      default -> throw new IllegalStateException();
    }
    try (OnnxTensor x = floatTensor(sample, sampleShape); ts; OnnxTensor c = floatTensor(context, contextShape);
        OrtSession.Result r = session("unet").run(Map.of("sample", x, "timestep", ts,
            "encoder_hidden_states", c))) {
      return read(r, "out_sample");
    }
  }

  /** Runs the VAE decoder on latent_sample. */
  public Out decode(float[] latent, long[] shape) throws OrtException {
    try (OnnxTensor z = floatTensor(latent, shape);
        OrtSession.Result r = session("vae_decoder").run(Map.of("latent_sample", z))) {
      return read(r, "sample");
    }
  }

  /** Runs the VAE encoder on an image in [−1, 1]. */
  public Out encode(float[] image, long[] shape) throws OrtException {
    try (OnnxTensor x = floatTensor(image, shape);
        OrtSession.Result r = session("vae_encoder").run(Map.of("sample", x))) {
      return read(r, flavor.vaeEncoderOutput());
    }
  }

  /** A float input in the model's precision. */
  public OnnxTensor floatTensor(float[] data, long[] shape) throws OrtException {
    if (precision.floatType() == io.github.ldm4j.export.onnx.ElementType.FLOAT) {
      return OnnxTensor.createTensor(ENV, FloatBuffer.wrap(data), shape);
    }
    short[] h = new short[data.length];
    for (int i = 0; i < data.length; i++) {
      h[i] = Float.floatToFloat16(data[i]);
    }
    return OnnxTensor.createTensor(ENV, ShortBuffer.wrap(h), shape, OnnxJavaType.FLOAT16);
  }

  /** Reads a float output, checking its dtype is the model's precision. */
  public Out read(OrtSession.Result r, String name) throws OrtException {
    OnnxTensor t = (OnnxTensor) r.get(name).orElseThrow(() -> new AssertionError("no output " + name));
    TensorInfo info = t.getInfo();
    OnnxJavaType expected = precision.floatType() == io.github.ldm4j.export.onnx.ElementType.FLOAT ? OnnxJavaType.FLOAT : OnnxJavaType.FLOAT16;
    if (info.type != expected) {
      throw new AssertionError(name + " has dtype " + info.type + ", expected " + expected);
    }
    float[] out;
    if (info.type == OnnxJavaType.FLOAT) {
      FloatBuffer fb = t.getFloatBuffer();
      out = new float[fb.remaining()];
      fb.get(out);
    } else {
      ShortBuffer sb = t.getShortBuffer();
      out = new float[sb.remaining()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Float.float16ToFloat(sb.get(i));
      }
    }
    return new Out(out, info.getShape());
  }

  /** Declared input/output infos of a component. */
  public Map<String, NodeInfo> inputs(String component) throws OrtException {
    return session(component).getInputInfo();
  }

  public Map<String, NodeInfo> outputs(String component) throws OrtException {
    return session(component).getOutputInfo();
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  @Override
  public void close() throws OrtException {
    OrtException first = null;
    for (OrtSession s : sessions.values()) {
      try {
        s.close();
      } catch (OrtException e) {
        first = first == null ? e : first;
      }
    }
    sessions.clear();
    if (first != null) {
      throw first;
    }
  }
}
