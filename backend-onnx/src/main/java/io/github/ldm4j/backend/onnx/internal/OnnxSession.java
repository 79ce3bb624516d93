package io.github.ldm4j.backend.onnx.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.contract.TensorPort;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One ONNX Runtime session of one model component, with its input and output ports read from the
 * session metadata.
 *
 * <p><b>Ownership:</b> owns the native {@link OrtSession}; {@link #close()} releases it exactly once
 * and waits for runs in flight. {@link #run} may be called from several threads at once (ONNX
 * Runtime sessions are thread-safe for {@code run}); a run after close throws {@link
 * IllegalStateException}.
 */
public final class OnnxSession implements AutoCloseable {

  private final OrtSession session;
  private final ModelComponent component;
  private final Path file;
  private final Map<String, Port> inputs;
  private final Map<String, Port> outputs;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private OnnxSession(OrtSession session, ModelComponent component, Path file) throws OrtException {
    this.session = session;
    this.component = component;
    this.file = file;
    this.inputs = ports(session.getInputInfo());
    this.outputs = ports(session.getOutputInfo());
  }

  /**
   * Opens {@code file} as {@code component}.
   *
   * @throws IOException when ONNX Runtime cannot load the file (corrupt, unsupported operators, …),
   *     with the path and ONNX Runtime's message
   */
  public static OnnxSession open(Path file, ModelComponent component, OnnxOptions options) throws IOException {
    OrtSession s;
    try {
      s = OrtRuntime.openSession(file, component, options);
    } catch (OrtException e) {
      throw new IOException("ONNX Runtime cannot load " + component.folderName() + " from " + file + ": " + e.getMessage(), e);
    }
    try {
      return new OnnxSession(s, component, file);
    } catch (OrtException e) {
      closeQuietly(s, e);
      throw new IOException("cannot read the inputs/outputs of " + file + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Port> ports(Map<String, NodeInfo> infos) {
    Map<String, Port> out = new LinkedHashMap<>();
    for (NodeInfo n : infos.values()) {
      if (n.getInfo() instanceof TensorInfo ti) {
        out.put(n.getName(), new Port(n.getName(), ti.type, ti.getShape()));
      } else {
        out.put(n.getName(), new Port(n.getName(), ai.onnxruntime.OnnxJavaType.UNKNOWN, new long[0]));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The component this session runs. */
  public ModelComponent component() {
    return component;
  }

  /** The model file. */
  public Path file() {
    return file;
  }

  /** Input ports by name, in model order. */
  public Map<String, Port> inputs() {
    return inputs;
  }

  /** Output ports by name, in model order. */
  public Map<String, Port> outputs() {
    return outputs;
  }

  /** Input ports as backend-neutral contract ports, by name in model order. */
  public Map<String, TensorPort> inputContract() {
    return contract(inputs);
  }

  /** Output ports as backend-neutral contract ports, by name in model order. */
  public Map<String, TensorPort> outputContract() {
    return contract(outputs);
  }

  private static Map<String, TensorPort> contract(Map<String, Port> ports) {
    Map<String, TensorPort> out = new LinkedHashMap<>();
    ports.forEach((k, v) -> out.put(k, v.toContract()));
    return Collections.unmodifiableMap(out);
  }

  /** The component and file, for messages ({@code unet (/m/unet/model.onnx)}). */
  public String what() {
    return component.folderName() + " (" + file + ")";
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
      session.close();
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
