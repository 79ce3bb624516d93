package io.github.ldm4j.app.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.ldm4j.backend.onnx.internal.OrtRuntime;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The floor: the same float32 networks called with plain ONNX Runtime Java in a loop, sessions
 * created by the same code with the same options as ldm4j's ({@link OrtRuntime#openSession},
 * {@link io.github.ldm4j.backend.onnx.OnnxOptions#from}): the text encoder once
 * at batch 2 (prompt and empty prompt), the UNet {@code steps} times at batch 2 with its
 * {@code last_hidden_state} fed straight back, the VAE decoder once at batch 1. Inputs are created
 * once; no sampler maths, no image conversion.
 */
final class FloorBench implements BenchTarget {

  private static final int TOKENS = 77;
  private static final int BOS = 49406;
  private static final int EOS = 49407;

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtRunTrace trace = new OrtRunTrace();
  private final List<AutoCloseable> owned = new ArrayList<>();
  private final int steps;
  private final OrtSession text;
  private final OrtSession unet;
  private final OrtSession vae;
  private final OnnxTensor ids;
  private final OnnxTensor latents;
  private final OnnxTensor latent;

  private final long openNanos;
  private final io.github.ldm4j.backend.onnx.OnnxOptions options;

  FloorBench(Path model, BenchSettings settings, io.github.ldm4j.spi.BackendOptions backendOptions,
      java.io.PrintStream out) throws IOException, OrtException {
    this.options = io.github.ldm4j.backend.onnx.OnnxOptions.from(backendOptions);
    this.steps = settings.steps();
    ModelFolder folder = ModelFolder.openOnnx(model);
    long t0 = System.nanoTime();
    try {
      text = open(folder, ModelComponent.TEXT_ENCODER);
      unet = open(folder, ModelComponent.UNET);
      vae = open(folder, ModelComponent.VAE_DECODER);
      openNanos = System.nanoTime() - t0;
      int h = settings.latentSize();
      Random random = new Random(42);
      ids = own(ids(env, info(text.getInputInfo(), "input_ids").type));
      latents = own(gaussian(env, random, 2, 4, h, h));
      latent = own(gaussian(env, random, 1, 4, h, h));
    } catch (IOException | OrtException | RuntimeException e) {
      close();
      throw e;
    }
    out.printf("floor: %s, latent %d×%d, %d UNet calls at batch 2; opened in %s, RSS %.0f MiB%n",
        model, settings.latentSize(), settings.latentSize(), steps, Stats.s(openNanos), Stats.rssMiB());
  }

  private OrtSession open(ModelFolder folder, ModelComponent c) throws IOException, OrtException {
    return own(OrtRuntime.openSession(folder.networkFile(c, EnumSet.of(ModelFolder.Format.ONNX)), c, options));
  }

  @Override
  public long openNanos() {
    return openNanos;
  }

  private <T extends AutoCloseable> T own(T resource) {
    owned.add(resource);
    return resource;
  }

  @Override
  public String label() {
    return "floor";
  }

  @Override
  public Figures runOnce() {
    try {
      trace.start();
      long start = System.nanoTime();
      long textNanos;
      long unetNanos;
      try (OrtSession.Result encoded = text.run(Map.of("input_ids", ids), Set.of("last_hidden_state"))) {
        textNanos = System.nanoTime() - start;
        OnnxTensor context = (OnnxTensor) encoded.get("last_hidden_state").orElseThrow();
        long u0 = System.nanoTime();
        for (int step = 0; step < steps; step++) {
          float t = 999f * (steps - 1 - step) / Math.max(1, steps - 1);
          try (OnnxTensor timestep = timestep(env, unet, t, 2)) {
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put("sample", latents);
            feeds.put("timestep", timestep);
            feeds.put("encoder_hidden_states", context);
            try (OrtSession.Result r = unet.run(feeds)) {
              r.get(0);
            }
          }
        }
        unetNanos = System.nanoTime() - u0;
      }
      long v0 = System.nanoTime();
      try (OrtSession.Result r = vae.run(Map.of("latent_sample", latent))) {
        r.get(0);
      }
      long vaeNanos = System.nanoTime() - v0;
      long w = System.nanoTime() - start;
      OrtRunTrace.Result ort = trace.stop();
      String report = String.format(
          "wall %s | in OrtSession.run %s (%d calls) | text encoder %s, UNet %s (%.3f s/call), VAE decoder %s",
          Stats.s(w), Stats.s(ort.nanos()), ort.calls(), Stats.s(textNanos), Stats.s(unetNanos),
          unetNanos / 1e9 / steps, Stats.s(vaeNanos));
      return new Figures(w, ort.nanos(), ort.calls(), (double) unetNanos / steps, report);
    } catch (OrtException e) {
      throw new IllegalStateException("floor run failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    trace.close();
    for (AutoCloseable c : owned.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("closing " + c + " failed: " + e.getMessage());
      }
    }
    owned.clear();
  }

  private static TensorInfo info(Map<String, NodeInfo> infos, String name) {
    NodeInfo n = infos.get(name);
    if (n == null || !(n.getInfo() instanceof TensorInfo ti)) {
      throw new IllegalArgumentException("the floor needs a tensor '" + name + "', the session has " + infos.keySet());
    }
    return ti;
  }

  private static OnnxJavaType type(OrtSession s, String name) throws OrtException {
    return info(s.getInputInfo(), name).type;
  }

  /** Two rows of BOS, EOS padding (the content does not change the cost). */
  private static OnnxTensor ids(OrtEnvironment env, OnnxJavaType type) throws OrtException {
    long[] shape = {2, TOKENS};
    ByteBuffer bytes = ByteBuffer.allocateDirect(2 * TOKENS * 8).order(ByteOrder.nativeOrder());
    return switch (type) {
      case INT32 -> {
        IntBuffer b = bytes.asIntBuffer();
        for (int i = 0; i < 2 * TOKENS; i++) {
          b.put(i, i % TOKENS == 0 ? BOS : EOS);
        }
        yield OnnxTensor.createTensor(env, b, shape);
      }
      case INT64 -> {
        LongBuffer b = bytes.asLongBuffer();
        for (int i = 0; i < 2 * TOKENS; i++) {
          b.put(i, i % TOKENS == 0 ? BOS : EOS);
        }
        yield OnnxTensor.createTensor(env, b, shape);
      }
      default -> throw new IllegalArgumentException("the floor feeds int32 or int64 input_ids, the model takes " + type);
    };
  }

  private static OnnxTensor gaussian(OrtEnvironment env, Random random, long... shape) throws OrtException {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    FloatBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    for (int i = 0; i < n; i++) {
      b.put(i, (float) random.nextGaussian());
    }
    return OnnxTensor.createTensor(env, b, shape);
  }

  /** The timestep in the UNet's own form: float or int64, scalar or [batch]. */
  private static OnnxTensor timestep(OrtEnvironment env, OrtSession unet, float t, int batch) throws OrtException {
    TensorInfo ti = info(unet.getInputInfo(), "timestep");
    boolean scalar = ti.getShape().length == 0;
    long[] shape = scalar ? new long[0] : new long[] {batch};
    int n = scalar ? 1 : batch;
    return switch (ti.type) {
      case FLOAT -> {
        FloatBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
          b.put(i, t);
        }
        yield OnnxTensor.createTensor(env, b, shape);
      }
      case INT64 -> {
        LongBuffer b = ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
        for (int i = 0; i < n; i++) {
          b.put(i, Math.round(t));
        }
        yield OnnxTensor.createTensor(env, b, shape);
      }
      default -> throw new IllegalArgumentException("the floor feeds a float or int64 timestep, the model takes " + ti.type);
    };
  }
}
