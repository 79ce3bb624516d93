package io.github.ldm4j.backend.onnx.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import ai.onnxruntime.OnnxJavaType;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.Feed;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.spi.WeightOverrides;
import io.github.ldm4j.spi.contract.PortType;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One ONNX Runtime session of one model component: the {@code onnx} backend's {@link Network}, with
 * its input and output ports read from the session metadata. Feeds are converted to the declared
 * element types (float16 networks get float16 tensors; token ids int32 or int64) and float16
 * outputs back to float32.
 *
 * <p><b>Ownership:</b> owns the native {@link OrtSession} and the tensors over replaced weights it was
 * opened with (not their memory); {@link #close()} releases them exactly once
 * and waits for runs in flight. {@link #run} may be called from several threads at once (ONNX
 * Runtime sessions are thread-safe for {@code run}); a run after close throws {@link
 * IllegalStateException}. A session opened with {@link WeightOverrides} weights also owns the ONNX
 * tensors holding their values (ONNX Runtime reads them in place for the session's lifetime) and
 * closes them after the session.
 */
public final class OnnxSession implements Network {

  private final OrtSession session;
  private final ModelComponent component;
  private final Path file;
  private final Map<String, TensorPort> inputs;
  private final Map<String, TensorPort> outputs;
  private final Map<String, OnnxJavaType> types = new HashMap<>();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final List<OnnxTensor> replaced;
  private boolean closed;

  private OnnxSession(OrtSession session, ModelComponent component, Path file, List<OnnxTensor> replaced)
      throws OrtException {
    this.session = session;
    this.replaced = replaced;
    this.component = component;
    this.file = file;
    this.inputs = ports(session.getInputInfo(), types);
    this.outputs = ports(session.getOutputInfo(), types);
  }

  /**
   * Opens {@code file} as {@code component}.
   *
   * @throws IOException when ONNX Runtime cannot load the file (corrupt, unsupported operators, …),
   *     with the path and ONNX Runtime's message
   */
  public static OnnxSession open(Path file, ModelComponent component, OnnxOptions options) throws IOException {
    return open(file, component, options, List.of());
  }

  /**
   * Opens {@code file} as {@code component} with the initializers {@code overrides} names replaced
   * by their values ({@link OrtRuntime#openSession(Path, ModelComponent, OnnxOptions, Map, Map)}): tensors
   * over the weights' native memory, no copy. The session owns those tensors (not the memory, which
   * must stay valid until it is closed).
   *
   * @throws IOException when ONNX Runtime cannot load the file or take a replaced weight, with the
   *     path and ONNX Runtime's message
   */
  public static OnnxSession open(Path file, ModelComponent component, OnnxOptions options,
      List<WeightOverrides.Weight> overrides) throws IOException {
    Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    Map<String, OnnxTensor> external = new LinkedHashMap<>();
    OrtSession s;
    try {
      // weights the file stores as external data, in the same shape, are injected as external
      // initializers (a LoRA set's merged weights); any other (a token table with rows appended) as a
      // user-supplied initializer, which may change the shape
      Map<String, long[]> externalDims = overrides.isEmpty() ? Map.of()
          : io.github.ldm4j.folder.onnx.OnnxModelIndex.read(file, idx -> {
            Map<String, long[]> m = new java.util.HashMap<>();
            idx.externalInitializers().forEach(t -> m.put(t.name(), t.dims()));
            return m;
          });
      for (WeightOverrides.Weight w : overrides) {
        java.nio.ByteBuffer b = w.data().asByteBuffer().order(java.nio.ByteOrder.nativeOrder());
        OnnxTensor t = OnnxTensor.createTensor(OrtRuntime.environment(), b, w.shape(),
            w.type() == PortType.FLOAT16 ? OnnxJavaType.FLOAT16 : OnnxJavaType.FLOAT);
        tensors.put(w.name(), t);
        if (java.util.Arrays.equals(externalDims.get(w.name()), w.shape())) {
          external.put(w.name(), t);
        }
      }
      Map<String, OnnxTensor> user = new LinkedHashMap<>(tensors);
      user.keySet().removeAll(external.keySet());
      s = OrtRuntime.openSession(file, component, options, user, external);
    } catch (OrtException e) {
      tensors.values().forEach(OnnxTensor::close);
      throw new IOException("ONNX Runtime cannot load " + component.folderName() + " from " + file
          + (overrides.isEmpty() ? "" : " with " + overrides.size() + " replaced weights") + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      tensors.values().forEach(OnnxTensor::close);
      throw e;
    }
    try {
      return new OnnxSession(s, component, file, List.copyOf(tensors.values()));
    } catch (OrtException e) {
      closeQuietly(s, e);
      tensors.values().forEach(OnnxTensor::close);
      throw new IOException("cannot read the inputs/outputs of " + file + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, TensorPort> ports(Map<String, NodeInfo> infos, Map<String, OnnxJavaType> types) {
    Map<String, TensorPort> out = new LinkedHashMap<>();
    for (NodeInfo n : infos.values()) {
      if (n.getInfo() instanceof TensorInfo ti) {
        types.put(n.getName(), ti.type);
        out.put(n.getName(), new TensorPort(n.getName(), portType(ti.type), ti.getShape()));
      } else {
        types.put(n.getName(), OnnxJavaType.UNKNOWN);
        out.put(n.getName(), new TensorPort(n.getName(), PortType.OTHER, new long[0]));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static PortType portType(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> PortType.FLOAT32;
      case FLOAT16 -> PortType.FLOAT16;
      case INT32 -> PortType.INT32;
      case INT64 -> PortType.INT64;
      default -> PortType.OTHER;
    };
  }

  /** The component this session runs. */
  @Override
  public ModelComponent component() {
    return component;
  }

  /** The model file. */
  @Override
  public Path file() {
    return file;
  }

  /** Input ports by name, in model order. */
  @Override
  public Map<String, TensorPort> inputs() {
    return inputs;
  }

  /** Output ports by name, in model order. */
  @Override
  public Map<String, TensorPort> outputs() {
    return outputs;
  }

  /** ONNX Runtime's element type of the input or output {@code name}. */
  public OnnxJavaType type(String name) {
    OnnxJavaType t = types.get(name);
    if (t == null) {
      throw new IllegalArgumentException(what() + " has no tensor '" + name + "'; it has inputs " + inputs.keySet()
          + " and outputs " + outputs.keySet());
    }
    return t;
  }

  @Override
  public List<Tensor> run(Map<String, Feed> feeds, List<String> wanted) {
    for (String name : feeds.keySet()) {
      if (!inputs.containsKey(name)) {
        throw new IllegalArgumentException(what() + " has no input '" + name + "'; it has " + inputs.keySet());
      }
    }
    for (String name : wanted) {
      if (!outputs.containsKey(name)) {
        throw new IllegalArgumentException(what() + " has no output '" + name + "'; it has " + outputs.keySet());
      }
    }
    Map<String, OnnxTensor> ort = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Feed> e : feeds.entrySet()) {
        ort.put(e.getKey(), OrtTensors.feed(e.getValue(), types.get(e.getKey())));
      }
      try (OrtSession.Result r = run(ort, new LinkedHashSet<>(wanted), Map.of())) {
        List<Tensor> out = new ArrayList<>(wanted.size());
        for (String name : wanted) {
          OnnxValue v = r.get(name).orElseThrow(() -> new IllegalStateException(what() + " returned no " + name));
          if (!(v instanceof OnnxTensor t)) {
            throw new IllegalStateException(what() + " output " + name + " is not a tensor");
          }
          out.add(OrtTensors.toTensor(t, component.folderName() + " output " + name));
        }
        return out;
      }
    } finally {
      ort.values().forEach(OnnxTensor::close);
    }
  }


  /**
   * Runs the session. The caller owns {@code feeds} and {@code pinned} (and closes them) and must
   * close the returned result.
   *
   * @param feeds inputs by name
   * @param wanted outputs to compute and return (those not pinned)
   * @param pinned outputs written in place into caller-provided tensors
   * @throws IllegalStateException naming the component when ONNX Runtime fails
   */
  public OrtSession.Result run(
      Map<String, OnnxTensor> feeds, Set<String> wanted, Map<String, ? extends OnnxValue> pinned) {
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException(component.folderName() + " session is closed");
      }
      return session.run(feeds, wanted, pinned);
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed running " + component.folderName() + " (" + file + "): " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        session.close();
      } finally {
        replaced.forEach(OnnxTensor::close);
      }
    } catch (OrtException e) {
      throw new IllegalStateException("closing the " + component.folderName() + " session failed: " + e.getMessage(), e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    lock.readLock().lock();
    try {
      return closed;
    } finally {
      lock.readLock().unlock();
    }
  }

  private static void closeQuietly(OrtSession s, Exception primary) {
    try {
      s.close();
    } catch (OrtException e) {
      primary.addSuppressed(e);
    }
  }

  @Override
  public String toString() {
    return "OnnxSession[" + component.folderName() + ", inputs=" + inputs.values() + ", outputs=" + outputs.values() + "]";
  }
}
