package io.github.ldm4j.checkpoint.lora;

import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.sd.ParameterSpec;
import io.github.ldm4j.export.sd.Weights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Weights} decorator that merges LoRAs into the parameters they modify: {@code W' = W + Σ m ·
 * (alpha / r) · up · down} per module ({@code m} the text-encoder or UNet multiplier of its file;
 * convolution kernels flattened to {@code [out, in·kh·kw]}), added in the graph's layout (linear
 * weights transposed to {@code [in, out]}). Parameters no LoRA touches, and contributions with
 * multiplier 0, pass through untouched, so a LoRA at weight 0 gives the same bits as none.
 *
 * <p>A parameter's delta is computed once, when the first chunk of it is asked for (one {@code [out,
 * in]} float array: {@code out · in · r} multiply-adds, in double), and released when all its
 * elements have been served; fillers stay index-pure and may be called concurrently for disjoint
 * chunks.
 */
public final class LoraWeights {

  private LoraWeights() {}

  /**
   * One file's contribution.
   *
   * @param mapping the file mapped onto the model
   * @param teMultiplier the text-encoder multiplier
   * @param unetMultiplier the UNet multiplier
   */
  public record Contribution(LoraMapping mapping, double teMultiplier, double unetMultiplier) {
    /** Validates. */
    public Contribution {
      Objects.requireNonNull(mapping, "mapping");
      AppliedLora.requireFinite(teMultiplier, unetMultiplier);
    }
  }

  private record Term(LoraFile file, LoraFile.Module module, double factor) {}

  /**
   * The graph parameters {@link #merged} changes, with the network of each: those a contribution
   * maps with a multiplier other than 0 and that a graph computes.
   */
  public static Map<String, LoraFile.Network> touched(List<Contribution> contributions) {
    Map<String, LoraFile.Network> out = new java.util.LinkedHashMap<>();
    for (Contribution c : contributions) {
      for (LoraMapping.Target t : c.mapping().targets()) {
        double m = t.module().network() == LoraFile.Network.TEXT_ENCODER ? c.teMultiplier() : c.unetMultiplier();
        if (m != 0 && t.computed()) {
          out.put(t.parameter(), t.module().network());
        }
      }
    }
    return out;
  }

  /**
   * {@code base} with {@code contributions} merged in (the files must stay open while the graphs are written).
   */
  public static Weights merged(Weights base, List<Contribution> contributions) {
    Objects.requireNonNull(base, "base");
    Map<String, List<Term>> terms = new HashMap<>();
    for (Contribution c : contributions) {
      for (LoraMapping.Target t : c.mapping().targets()) {
        double m = t.module().network() == LoraFile.Network.TEXT_ENCODER ? c.teMultiplier() : c.unetMultiplier();
        if (m != 0 && t.computed()) {
          terms.computeIfAbsent(t.parameter(), k -> new ArrayList<>())
              .add(new Term(c.mapping().file(), t.module(), m * t.module().scale()));
        }
      }
    }
    if (terms.isEmpty()) {
      return base;
    }
    Map<String, List<Term>> byParameter = Map.copyOf(terms);
    return spec -> {
      TensorValues.FloatFiller filler = base.values(spec);
      List<Term> list = byParameter.get(spec.name());
      if (list == null) {
        return filler;
      }
      Delta delta = new Delta(spec, list);
      return (start, dst, count) -> {
        filler.fill(start, dst, count);
        float[] d = delta.acquire();
        for (int i = 0; i < count; i++) {
          dst[i] += d[(int) (start + i)];
        }
        delta.release(count);
      };
    };
  }

  /** The summed delta of one parameter in the graph's element order, computed once and dropped when served. */
  private static final class Delta {
    private final ParameterSpec spec;
    private final List<Term> terms;
    private final long elements;
    private float[] values;
    private long served;

    Delta(ParameterSpec spec, List<Term> terms) {
      this.spec = spec;
      this.terms = terms;
      this.elements = Arrays.stream(spec.dims()).reduce(1, (a, b) -> a * b);
      LoraFile.Module m = terms.getFirst().module();
      if (elements != m.out() * m.inFlat() || elements > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("LoRA module " + m.name() + " ([" + m.out() + ", " + m.inFlat()
            + "] flattened) does not fit graph parameter " + spec);
      }
    }

    synchronized float[] acquire() {
      if (values == null) {
        values = compute();
      }
      return values;
    }

    synchronized void release(int count) {
      served += count;
      if (served >= elements) {
        served = 0;
        values = null;
      }
    }

    private float[] compute() {
      LoraFile.Module first = terms.getFirst().module();
      int out = (int) first.out();
      int in = (int) first.inFlat();
      double[] sum = new double[out * in];
      double[] row = new double[in];
      for (Term t : terms) {
        int r = t.module().rank();
        float[] up = t.file().up(t.module());
        float[] down = t.file().down(t.module());
        for (int o = 0; o < out; o++) {
          Arrays.fill(row, 0);
          for (int k = 0; k < r; k++) {
            double u = up[o * r + k];
            int base = k * in;
            for (int i = 0; i < in; i++) {
              row[i] += u * down[base + i];
            }
          }
          int at = o * in;
          for (int i = 0; i < in; i++) {
            sum[at + i] += t.factor() * row[i];
          }
        }
      }
      float[] d = new float[out * in];
      if (spec.transposed()) { // the graph holds [in, out]
        for (int o = 0; o < out; o++) {
          for (int i = 0; i < in; i++) {
            d[i * out + o] = (float) sum[o * in + i];
          }
        }
      } else {
        for (int j = 0; j < d.length; j++) {
          d[j] = (float) sum[j];
        }
      }
      return d;
    }
  }
}
