package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.contract.PortType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Weights that replace some of a model's own when its networks are opened, by component: each a
 * named initializer of the network file (the name the exporter gave the parameter) with new values
 * of the same element type and shape. This is how a LoRA set is applied without converting the
 * model again: only the weights it touches are computed, and only the networks they belong to are
 * opened anew ({@link NetworkRequest#overrides()}, honoured by backends whose {@link
 * BackendProvider#overridesWeights()} says so).
 *
 * <p><b>Ownership:</b> owns the native memory of its weights (the arena given to the constructor,
 * if any); {@link #close()} frees it, once (later calls do nothing). Networks opened with these
 * weights may refer to that memory (ONNX Runtime requires it to outlive the session), so close the
 * networks first. {@link #NONE} owns nothing.
 */
public final class WeightOverrides implements AutoCloseable {

  /**
   * One replaced weight.
   *
   * @param name the initializer's name in the network file
   * @param type its element type (float32 or float16)
   * @param shape its dimensions
   * @param data its little-endian values, {@code shape}'s element count × the type's size, in native memory
   */
  public record Weight(String name, PortType type, long[] shape, MemorySegment data) {
    /** Validates and copies. */
    public Weight {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(data, "data");
      if (!type.isFloating()) {
        throw new IllegalArgumentException("weight " + name + ": only float32 and float16 weights are replaced, got " + type);
      }
      shape = shape.clone();
      long n = 1;
      for (long d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException("weight " + name + ": negative dimension in " + Arrays.toString(shape));
        }
        n = Math.multiplyExact(n, d);
      }
      long bytes = n * (type == PortType.FLOAT32 ? Float.BYTES : 2);
      if (data.byteSize() != bytes) {
        throw new IllegalArgumentException("weight " + name + " " + Arrays.toString(shape) + " " + type + " needs " + bytes
            + " bytes, got " + data.byteSize());
      }
      if (!data.isNative()) {
        throw new IllegalArgumentException("weight " + name + ": values must be in native memory");
      }
    }

    /** A copy of the dimensions. */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Weight w && name.equals(w.name) && type == w.type && Arrays.equals(shape, w.shape)
          && data.equals(w.data);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
      return name + Arrays.toString(shape) + " " + type;
    }
  }

  /** No weight replaced. */
  public static final WeightOverrides NONE = new WeightOverrides(Map.of(), null);

  private final Map<ModelComponent, List<Weight>> weights;
  private final Arena arena;
  private final long bytes;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Takes ownership of {@code arena} (null: the weights' memory is owned elsewhere).
   *
   * @param weights the replaced weights by component; components without any are left out
   * @throws IllegalArgumentException when a component names one weight twice
   */
  public WeightOverrides(Map<ModelComponent, List<Weight>> weights, Arena arena) {
    Objects.requireNonNull(weights, "weights");
    Map<ModelComponent, List<Weight>> m = new EnumMap<>(ModelComponent.class);
    long total = 0;
    for (Map.Entry<ModelComponent, List<Weight>> e : weights.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      List<Weight> list = List.copyOf(e.getValue());
      if (list.stream().map(Weight::name).distinct().count() != list.size()) {
        throw new IllegalArgumentException(e.getKey().folderName() + ": a weight is replaced twice in " + list);
      }
      for (Weight w : list) {
        total += w.data().byteSize();
      }
      m.put(e.getKey(), list);
    }
    this.weights = m.isEmpty() ? Map.of() : m;
    this.arena = arena;
    this.bytes = total;
  }

  /** The replaced weights of {@code component} (empty when none). */
  public List<Weight> of(ModelComponent component) {
    return weights.getOrDefault(component, List.of());
  }

  /** The components with replaced weights. */
  public Set<ModelComponent> components() {
    return weights.keySet();
  }

  /** Whether no weight is replaced. */
  public boolean isEmpty() {
    return weights.isEmpty();
  }

  /** The bytes of all replaced weights' values. */
  public long bytes() {
    return bytes;
  }

  /**
   * These weights and {@code other}'s together, as a view that owns no memory (closing it frees
   * nothing; the two keep their own ownership); {@code this} itself when {@code other} is empty.
   *
   * @throws IllegalArgumentException when both replace one weight
   */
  public WeightOverrides plus(WeightOverrides other) {
    if (other.isEmpty()) {
      return this;
    }
    Map<ModelComponent, List<Weight>> m = new EnumMap<>(ModelComponent.class);
    weights.forEach((c, l) -> m.put(c, new java.util.ArrayList<>(l)));
    other.weights.forEach((c, l) -> m.computeIfAbsent(c, k -> new java.util.ArrayList<>()).addAll(l));
    return new WeightOverrides(m, null);
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** Frees the weights' memory (when owned); idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && arena != null) {
      arena.close();
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("WeightOverrides[");
    weights.forEach((c, l) -> b.append(c.folderName()).append(": ").append(l.size()).append(" weights; "));
    return b.append(bytes).append(" bytes]").toString();
  }
}
