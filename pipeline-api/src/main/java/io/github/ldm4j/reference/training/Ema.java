package io.github.ldm4j.reference.training;

import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Exponential moving average of named parameter tensors, as CompVis {@code LitEma}: shadow copies
 * start as the parameters; each {@link #update} first counts the update n (when warm-up is on) and
 * uses decay<sub>n</sub> = min(decay, (1 + n)/(10 + n)), then moves every shadow by shadow −=
 * (1 − decay<sub>n</sub>)·(shadow − param). {@link #copyTo}, {@link #store} and {@link #restore}
 * swap averaged weights in for evaluation and back.
 *
 * <p>The arithmetic is float32 as in the reference (its {@code decay} and {@code num_updates} are
 * float32/int32 buffers), so shadows match PyTorch's bit for bit. The shadows and stored copies
 * are owned by this object; the parameter maps passed in are the caller's. Thread-safe (methods
 * are synchronized).
 */
public final class Ema {

  /** The CompVis default decay. */
  public static final double DEFAULT_DECAY = 0.9999;

  private final float decay;
  private final boolean warmUp;
  private final LinkedHashMap<String, Tensor> shadows = new LinkedHashMap<>();
  private final LinkedHashMap<String, Tensor> stored = new LinkedHashMap<>();
  private int numUpdates;

  /** {@code LitEma(model)}: decay 0.9999 with the num_updates warm-up. */
  public Ema(Map<String, Tensor> parameters) {
    this(parameters, DEFAULT_DECAY, true);
  }

  /**
   * {@code LitEma(model, decay, use_num_upates)}.
   *
   * @param parameters the named parameters to average (copied as the initial shadows)
   * @param decay in [0, 1]
   * @param useNumUpdates whether to warm the decay up with the update count
   */
  public Ema(Map<String, Tensor> parameters, double decay, boolean useNumUpdates) {
    Objects.requireNonNull(parameters, "parameters");
    if (!(decay >= 0 && decay <= 1)) {
      throw new IllegalArgumentException("EMA decay must be between 0 and 1, got " + decay);
    }
    if (parameters.isEmpty()) {
      throw new IllegalArgumentException("EMA needs at least one parameter");
    }
    this.decay = (float) decay;
    this.warmUp = useNumUpdates;
    for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
      Objects.requireNonNull(e.getKey(), "parameter name");
      Tensor p = Objects.requireNonNull(e.getValue(), "parameter '" + e.getKey() + "'");
      shadows.put(e.getKey(), p.requireFinite("parameter '" + e.getKey() + "'").copy());
    }
  }

  /** The configured decay (as the float32 the reference stores). */
  public double decay() {
    return decay;
  }

  /** Number of updates so far, counted only with warm-up on (the reference keeps −1 otherwise). */
  public synchronized int numUpdates() {
    return warmUp ? numUpdates : -1;
  }

  /** Names of the averaged parameters, sorted. */
  public Set<String> names() {
    return new TreeSet<>(shadows.keySet());
  }

  /** A copy of the shadow (averaged) value of {@code name}. */
  public synchronized Tensor shadow(String name) {
    Tensor s = shadows.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no EMA parameter '" + name + "'; known: " + names());
    }
    return s.copy();
  }

  /**
   * The decay the next {@link #update} will use (decay<sub>n+1</sub> with warm-up), in float32.
   */
  public synchronized double nextDecay() {
    return decayFor(numUpdates + 1);
  }

  /**
   * {@code LitEma.forward(model)}: one averaging step toward {@code parameters}.
   *
   * @param parameters the current values, with exactly the names and shapes given at construction
   * @return the decay used for this step
   */
  public synchronized double update(Map<String, Tensor> parameters) {
    checkMatches(parameters);
    float d = decay;
    if (warmUp) {
      numUpdates++;
      d = decayFor(numUpdates);
    }
    float oneMinusDecay = 1f - d;
    for (Map.Entry<String, Tensor> e : shadows.entrySet()) {
      Tensor s = e.getValue();
      Tensor p = parameters.get(e.getKey());
      for (int i = 0, n = s.size(); i < n; i++) {
        float sv = s.get(i);
        float diff = sv - p.get(i);
        float step = oneMinusDecay * diff;
        s.set(i, sv - step);
      }
    }
    return d;
  }

  /** {@code LitEma.copy_to(model)}: writes the shadows into {@code parameters} in place. */
  public synchronized void copyTo(Map<String, Tensor> parameters) {
    checkMatches(parameters);
    shadows.forEach((name, s) -> parameters.get(name).copyFrom(s));
  }

  /** {@code LitEma.store(parameters)}: keeps copies of the current values for {@link #restore}. */
  public synchronized void store(Map<String, Tensor> parameters) {
    checkMatches(parameters);
    stored.clear();
    shadows.keySet().forEach(name -> stored.put(name, parameters.get(name).copy()));
  }

  /**
   * {@code LitEma.restore(parameters)}: writes the values kept by {@link #store} back in place.
   *
   * @throws IllegalStateException when nothing was stored
   */
  public synchronized void restore(Map<String, Tensor> parameters) {
    if (stored.isEmpty()) {
      throw new IllegalStateException("restore called before store");
    }
    checkMatches(parameters);
    stored.forEach((name, s) -> parameters.get(name).copyFrom(s));
  }

  private float decayFor(int n) {
    if (!warmUp) {
      return decay;
    }
    float warm = (float) (1 + n) / (float) (10 + n);
    return Math.min(decay, warm);
  }

  private void checkMatches(Map<String, Tensor> parameters) {
    Objects.requireNonNull(parameters, "parameters");
    if (!parameters.keySet().equals(shadows.keySet())) {
      List<String> missing = new ArrayList<>(new TreeSet<>(shadows.keySet()));
      missing.removeAll(parameters.keySet());
      List<String> extra = new ArrayList<>(new TreeSet<>(parameters.keySet()));
      extra.removeAll(shadows.keySet());
      throw new IllegalArgumentException(
          "parameters do not match the EMA's: missing " + missing + ", unexpected " + extra);
    }
    for (Map.Entry<String, Tensor> e : shadows.entrySet()) {
      Tensor p = Objects.requireNonNull(parameters.get(e.getKey()), "parameter '" + e.getKey() + "'");
      e.getValue().requireSameShape("parameter '" + e.getKey() + "'", p);
      p.requireFinite("parameter '" + e.getKey() + "'");
    }
  }
}
