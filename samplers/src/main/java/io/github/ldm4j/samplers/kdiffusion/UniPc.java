package io.github.ldm4j.samplers.kdiffusion;

import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.internal.Knob;
import io.github.ldm4j.samplers.internal.NamedSamplerProvider;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.internal.SigmaSampler;
import io.github.ldm4j.samplers.internal.SmallLinearSolve;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code uni_pc}: UniPC (Zhao et al. 2023) multistep predictor–corrector on the data prediction,
 * B(h) = e<sup>h</sup> − 1 ("bh2"), as diffusers' {@code UniPCMultistepScheduler} with {@code
 * predict_x0=True}, {@code lower_order_final=True} and no disabled correctors, written in the
 * variance-exploding form of k-diffusion (λ = −log σ; the VP formulas divided by α<sub>t</sub>).
 *
 * <p>Each step evaluates the model once; the UniC corrector refines the previous step's result
 * with that evaluation before the UniP predictor of order p moves on. The order warms up from 1
 * and, with lower_order_final, drops to the number of steps left; the last step to σ = 0 returns
 * D. Order 1..3 (default 2, diffusers' default). Not the bh1 variant (B(h) = h) that the UniPC authors'
 * reference and ComfyUI's {@code uni_pc} default to (ComfyUI's {@code uni_pc_bh2} is this one).
 *
 * <p>Parity: {@code ReferenceParityTest}'s {@code uni_pc-*} fixtures, written by running diffusers'
 * scheduler (5, 9, 20 steps, eps and v, orders 1–3, img2img), match within 5.6e-7.
 */
public final class UniPc extends SigmaSampler {

  /** The registered name. */
  public static final String NAME = "uni_pc";

  /** diffusers' default solver order. */
  public static final int DEFAULT_ORDER = 2;

  private final int order;

  /** A UniPC sampler; takes the order (1..3, default 2). */
  public UniPc(SamplerOptions options) {
    super(NAME);
    Knob.requireOnly(NAME, options, Knob.ORDER);
    this.order = Knob.order(NAME, options, 1, 3, DEFAULT_ORDER);
  }

  @Override
  protected Tensor run(SigmaRun r, Tensor x) {
    int n = r.steps();
    List<Tensor> models = new ArrayList<>();
    List<Double> lambdas = new ArrayList<>();
    Tensor last = null;
    int thisOrder = 0;
    int lowerOrderNums = 0;
    for (int i = 0; i < n; i++) {
      double s = r.sigma(i);
      double lambda = -Math.log(s);
      Tensor denoised = r.denoise(x, s);
      if (last != null) {
        x = corrector(models, lambdas, denoised, lambda, last, r.sigma(i - 1), s, thisOrder);
      }
      models.add(denoised);
      lambdas.add(lambda);
      if (models.size() > order) {
        models.remove(0);
        lambdas.remove(0);
      }
      thisOrder = Math.min(Math.min(order, n - i), lowerOrderNums + 1);
      last = x;
      x = predictor(models, lambdas, x, s, r.sigma(i + 1), thisOrder);
      lowerOrderNums = Math.min(lowerOrderNums + 1, order);
      r.emit(i, s, x, denoised);
    }
    return x;
  }

  /** UniP-p from σ<sub>s</sub> (the newest history entry) to σ<sub>t</sub>. */
  private static Tensor predictor(List<Tensor> models, List<Double> lambdas, Tensor x, double sigmaS,
      double sigmaT, int p) {
    int newest = models.size() - 1;
    Tensor m0 = models.get(newest);
    if (sigmaT == 0) {
      return m0;
    }
    double lambda0 = lambdas.get(newest);
    double h = -Math.log(sigmaT) - lambda0;
    double[] rks = new double[p];
    for (int k = 1; k < p; k++) {
      rks[k - 1] = (lambdas.get(newest - k) - lambda0) / h;
    }
    rks[p - 1] = 1;
    Coefficients co = new Coefficients(rks, h);
    double[] rhos = switch (p) {
      case 1 -> new double[0];
      case 2 -> new double[] {0.5};
      default -> SmallLinearSolve.solve(co.rMinor(p - 1), Arrays.copyOf(co.b, p - 1));
    };
    double[] c = new double[p + 1];
    Tensor[] terms = new Tensor[p + 1];
    c[0] = sigmaT / sigmaS;
    terms[0] = x;
    c[1] = -co.hPhi1;
    terms[1] = m0;
    for (int k = 1; k < p; k++) {
      double w = co.bh * rhos[k - 1] / rks[k - 1];
      c[1] += w;
      c[k + 1] = -w;
      terms[k + 1] = models.get(newest - k);
    }
    return Tensor.lincomb(c, terms);
  }

  /**
   * UniC-p: corrects {@code xT} (the predictor's result at σ<sub>t</sub> from {@code last} at
   * σ<sub>s</sub>) with the model value {@code modelT} at σ<sub>t</sub>; the history still ends at
   * σ<sub>s</sub>.
   */
  private static Tensor corrector(List<Tensor> models, List<Double> lambdas, Tensor modelT, double lambdaT,
      Tensor last, double sigmaS, double sigmaT, int p) {
    int newest = models.size() - 1;
    Tensor m0 = models.get(newest);
    double lambda0 = lambdas.get(newest);
    double h = lambdaT - lambda0;
    double[] rks = new double[p];
    for (int k = 1; k < p; k++) {
      rks[k - 1] = (lambdas.get(newest - k) - lambda0) / h;
    }
    rks[p - 1] = 1;
    Coefficients co = new Coefficients(rks, h);
    double[] rhos = p == 1 ? new double[] {0.5} : SmallLinearSolve.solve(co.rMinor(p), co.b);
    double[] c = new double[p + 2];
    Tensor[] terms = new Tensor[p + 2];
    c[0] = sigmaT / sigmaS;
    terms[0] = last;
    double rhoT = rhos[p - 1];
    c[1] = -co.hPhi1 + co.bh * rhoT;
    terms[1] = m0;
    for (int k = 1; k < p; k++) {
      double w = co.bh * rhos[k - 1] / rks[k - 1];
      c[1] += w;
      c[k + 1] = -w;
      terms[k + 1] = models.get(newest - k);
    }
    c[p + 1] = -co.bh * rhoT;
    terms[p + 1] = modelT;
    return Tensor.lincomb(c, terms);
  }

  /** h·φ<sub>1</sub>, B(h) and the UniPC linear system R·ρ = b for nodes {@code rks} and step h. */
  private static final class Coefficients {
    final double hPhi1;
    final double bh;
    final double[] b;
    final double[][] r;

    Coefficients(double[] rks, double h) {
      int p = rks.length;
      double hh = -h;
      hPhi1 = Math.expm1(hh);
      bh = Math.expm1(hh);
      b = new double[p];
      r = new double[p][p];
      double hPhiK = hPhi1 / hh - 1;
      double factorial = 1;
      for (int i = 1; i <= p; i++) {
        for (int j = 0; j < p; j++) {
          r[i - 1][j] = Math.pow(rks[j], i - 1);
        }
        b[i - 1] = hPhiK * factorial / bh;
        factorial *= i + 1;
        hPhiK = hPhiK / hh - 1 / factorial;
      }
    }

    double[][] rMinor(int size) {
      double[][] m = new double[size][];
      for (int i = 0; i < size; i++) {
        m[i] = Arrays.copyOf(r[i], size);
      }
      return m;
    }
  }

  /** Registers {@value #NAME}. */
  public static final class Provider extends NamedSamplerProvider {
    /** The instance {@link java.util.ServiceLoader} creates. */
    public Provider() {
      super(NAME, UniPc::new);
    }
  }
}
