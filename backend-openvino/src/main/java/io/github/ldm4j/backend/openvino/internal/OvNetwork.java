package io.github.ldm4j.backend.openvino.internal;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.Feed;
import io.github.ldm4j.spi.Network;
import io.github.ldm4j.spi.contract.PortType;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One network of a model (the UNet, say) on one device — the {@code openvino} backend's {@link
 * Network}: the read model, its compiled versions per input shape and a pool of infer requests for
 * each.
 *
 * <p>With static shapes, the first inference at a new set of input shapes reshapes the model to
 * exactly those shapes and compiles it (OpenVINO CPU runs static shapes several times faster, and
 * the NPU runs nothing else); the compiled models are kept per shape, least recently used evicted
 * beyond the configured count. Each compiled model pools up to N infer requests, so N threads infer
 * at once and a further thread waits. Inputs in F32 are handed over without copying; outputs with a
 * static F32 shape are written by OpenVINO straight into a new ldm4j tensor.
 *
 * <p><b>Ownership:</b> owns the model, every compiled model and every request; {@link #close()}
 * waits for inferences in flight, frees each once and releases its reference to the shared core.
 * Thread-safe.
 */
public final class OvNetwork implements Network {

  private static final String DYNAMIC_KEY = "dynamic";

  private final OvApi api;
  private final SharedCore core;
  private final OvModel model;
  private final ModelComponent component;
  private final Path file;
  private final String what;
  private final String device;
  private final Map<String, String> properties;
  private final boolean staticShapes;
  private final int maxShapes;
  private final int maxRequests;
  private final List<OvPortInfo> inputs;
  private final List<OvPortInfo> outputs;
  private final LinkedHashMap<String, Compiled> compiled = new LinkedHashMap<>(8, 0.75f, true);
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final ReentrantLock compileLock = new ReentrantLock();
  private final AtomicInteger compiles = new AtomicInteger();
  private boolean closed;

  private OvNetwork(SharedCore core, OvModel model, ModelComponent component, Path file, String device,
      Map<String, String> properties, boolean staticShapes, int maxShapes, int maxRequests) {
    this.api = core.core().api;
    this.core = core;
    this.model = model;
    this.component = component;
    this.file = file;
    this.what = component.folderName() + " (" + file + ")";
    this.device = device;
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    this.staticShapes = staticShapes;
    this.maxShapes = maxShapes;
    this.maxRequests = maxRequests;
    this.inputs = model.inputs();
    this.outputs = model.outputs();
  }

  /**
   * Reads {@code file} (IR {@code .xml} or {@code .onnx}) with {@code core}, holding a reference to
   * it until {@link #close()}.
   *
   * @param component the component the file holds
   */
  public static OvNetwork open(SharedCore core, ModelComponent component, Path file, String device,
      Map<String, String> properties, boolean staticShapes, int maxShapes, int maxRequests) {
    core.acquire();
    OvModel m = null;
    try {
      m = core.core().readModel(file, Optional.empty());
      return new OvNetwork(core, m, component, file, device, properties, staticShapes, maxShapes, maxRequests);
    } catch (RuntimeException e) {
      if (m != null) {
        m.close();
      }
      core.release();
      throw e;
    }
  }

  @Override
  public ModelComponent component() {
    return component;
  }

  @Override
  public Path file() {
    return file;
  }

  /** The component and file, for messages. */
  @Override
  public String what() {
    return what;
  }

  /** The device compiled for. */
  public String device() {
    return device;
  }

  /** The model's inputs as contract ports (dynamic dimensions −1). */
  @Override
  public Map<String, TensorPort> inputs() {
    return contract(inputs);
  }

  /** The model's outputs as contract ports. */
  @Override
  public Map<String, TensorPort> outputs() {
    return contract(outputs);
  }

  /** The model's declared element type of input {@code name}. */
  public OvElementType inputType(String name) {
    return port(inputs, name).type();
  }

  /** {@code ports} as contract ports by name, in order (dynamic dimensions −1, dynamic rank an empty shape). */
  public static Map<String, TensorPort> contract(List<OvPortInfo> ports) {
    Map<String, TensorPort> out = new LinkedHashMap<>();
    for (OvPortInfo p : ports) {
      PortType t = switch (p.type()) {
        case F32 -> PortType.FLOAT32;
        case F16 -> PortType.FLOAT16;
        case I32 -> PortType.INT32;
        case I64 -> PortType.INT64;
        default -> PortType.OTHER;
      };
      out.put(p.name(), new TensorPort(p.name(), t, p.shape().dynamicRank() ? new long[0] : p.shape().dims()));
    }
    return Collections.unmodifiableMap(out);
  }

  private OvPortInfo port(List<OvPortInfo> ports, String name) {
    for (OvPortInfo p : ports) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException(what + " has no tensor '" + name + "'; it has " + ports);
  }

  /** How many times a model was compiled so far (one per new shape with static shapes). */
  public int compiles() {
    return compiles.get();
  }

  /** How many compiled models are cached now. */
  public int cachedShapes() {
    synchronized (compiled) {
      return compiled.size();
    }
  }

  /**
   * Runs one inference.
   *
   * @param feeds every input by name
   * @param wanted the outputs to return, by name
   * @return the outputs in {@code wanted} order, as new tensors
   * @throws io.github.ldm4j.backend.openvino.OpenVinoException when OpenVINO fails (reshape, compile, infer)
   */
  @Override
  public List<Tensor> run(Map<String, Feed> feeds, List<String> wanted) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException(what + " is closed");
      }
      if (feeds.size() != inputs.size() || !inputs.stream().allMatch(p -> feeds.containsKey(p.name()))) {
        throw new IllegalArgumentException(what + " takes " + inputs + ", fed " + feeds.keySet());
      }
      Compiled c = compiledFor(feeds);
      OvInferRequest request = c.borrow();
      try (Arena arena = Arena.ofConfined()) {
        for (OvPortInfo in : c.inputs) {
          try (OvTensor t = OvTensors.of(api, feeds.get(in.name()), in.type(), arena, what + " input " + in.name())) {
            request.setTensor(in.name(), t);
          }
        }
        // Outputs with a static F32 shape are written straight into new ldm4j tensors. Every run sets
        // every such output again, so a request never writes into memory of an earlier run.
        Tensor[] direct = new Tensor[c.outputs.size()];
        for (OvPortInfo out : c.outputs) {
          if (out.type() == OvElementType.F32 && out.shape().isStatic()) {
            long[] dims = out.shape().dims();
            Tensor t = Tensor.zeros(Arrays.stream(dims).mapToInt(Math::toIntExact).toArray());
            try (OvTensor ot = OvTensor.wrap(api, OvElementType.F32, dims, t.segment())) {
              request.setOutputTensor(out.index(), ot);
            }
            direct[out.index()] = t;
          }
        }
        request.infer();
        Reference.reachabilityFence(feeds);
        List<Tensor> results = new ArrayList<>(wanted.size());
        for (String name : wanted) {
          OvPortInfo out = port(c.outputs, name);
          if (direct[out.index()] != null) {
            results.add(direct[out.index()]);
          } else {
            try (OvTensor t = request.outputTensor(out.index())) {
              results.add(OvTensors.read(t, what + " output " + name));
            }
          }
        }
        return results;
      } finally {
        c.giveBack(request);
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private Compiled compiledFor(Map<String, Feed> feeds) {
    String key = DYNAMIC_KEY;
    Map<String, PartialShape> shapes = new LinkedHashMap<>();
    if (staticShapes) {
      StringBuilder k = new StringBuilder();
      for (OvPortInfo in : inputs) {
        long[] s = feeds.get(in.name()).shape();
        shapes.put(in.name(), PartialShape.of(s));
        k.append(in.name()).append(Arrays.toString(s)).append(';');
      }
      key = k.toString();
    }
    Compiled c = reserve(key);
    if (c != null) {
      return c;
    }
    compileLock.lock();
    try {
      c = reserve(key);
      if (c != null) {
        return c;
      }
      model.reshape(shapes);
      OvCompiledModel cm = core.core().compile(model, device, properties);
      compiles.incrementAndGet();
      try {
        c = new Compiled(cm, cm.inputs(), cm.outputs(), maxRequests);
      } catch (RuntimeException e) {
        cm.close();
        throw e;
      }
      List<Compiled> evicted = new ArrayList<>();
      synchronized (compiled) {
        compiled.put(key, c);
        c.reserve();
        Iterator<Map.Entry<String, Compiled>> it = compiled.entrySet().iterator();
        while (compiled.size() > maxShapes && it.hasNext()) {
          Map.Entry<String, Compiled> eldest = it.next();
          if (eldest.getValue() != c) {
            it.remove();
            evicted.add(eldest.getValue());
          }
        }
      }
      evicted.forEach(Compiled::evict);
      return c;
    } finally {
      compileLock.unlock();
    }
  }

  private Compiled reserve(String key) {
    synchronized (compiled) {
      Compiled c = compiled.get(key);
      if (c != null) {
        c.reserve();
      }
      return c;
    }
  }

  /** A compiled model, its ports and its request pool; freed when evicted and no longer in use. */
  private static final class Compiled {
    final OvCompiledModel model;
    final List<OvPortInfo> inputs;
    final List<OvPortInfo> outputs;
    private final int maxRequests;
    private final ArrayDeque<OvInferRequest> idle = new ArrayDeque<>();
    private final List<OvInferRequest> all = new ArrayList<>();
    private int users;
    private boolean evicted;

    Compiled(OvCompiledModel model, List<OvPortInfo> inputs, List<OvPortInfo> outputs, int maxRequests) {
      this.model = model;
      this.inputs = inputs;
      this.outputs = outputs;
      this.maxRequests = maxRequests;
    }

    synchronized void reserve() {
      users++;
    }

    synchronized OvInferRequest borrow() {
      while (idle.isEmpty() && all.size() >= maxRequests) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          users--;
          throw new IllegalStateException("interrupted while waiting for an OpenVINO infer request", e);
        }
      }
      if (!idle.isEmpty()) {
        return idle.pop();
      }
      OvInferRequest r = model.createInferRequest();
      all.add(r);
      return r;
    }

    void giveBack(OvInferRequest r) {
      boolean free;
      synchronized (this) {
        idle.push(r);
        users--;
        free = evicted && users == 0;
        notifyAll();
      }
      if (free) {
        freeAll();
      }
    }

    void evict() {
      boolean free;
      synchronized (this) {
        evicted = true;
        free = users == 0;
      }
      if (free) {
        freeAll();
      }
    }

    void freeAll() {
      List<OvInferRequest> requests;
      synchronized (this) {
        requests = new ArrayList<>(all);
        all.clear();
        idle.clear();
      }
      requests.forEach(OvInferRequest::close);
      model.close();
    }
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      List<Compiled> all;
      synchronized (compiled) {
        all = new ArrayList<>(compiled.values());
        compiled.clear();
      }
      all.forEach(Compiled::freeAll);
      model.close();
      core.release();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "OvNetwork[" + what + " on " + device + ", inputs=" + inputs + ", outputs=" + outputs + "]";
  }
}
