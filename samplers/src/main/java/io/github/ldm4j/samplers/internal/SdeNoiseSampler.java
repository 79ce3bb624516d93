package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.random.BrownianTree;
import io.github.ldm4j.sampler.SdeNoise;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;

/**
 * The noise of one SDE sampler run between two σ levels: k-diffusion's {@code noise_sampler(σ,
 * σ_next)} — either {@code BrownianTreeNoiseSampler} ({@link SdeNoise#BROWNIAN}) or fresh unit
 * Gaussians from the run's generator ({@link SdeNoise#INDEPENDENT}).
 *
 * <p>Brownian: the trees span [σ<sub>min</sub>, σ<sub>max</sub>] of the plan (smallest positive and
 * largest σ) as float32, like k-diffusion's σ tensors. One seed in {@link
 * io.github.ldm4j.random.RandomSource#seeds()} gives one tree over the whole latent (k-diffusion's
 * {@code seed=int}, ComfyUI); one seed per batch item gives one tree per image, stacked
 * (k-diffusion's {@code seed=[…]}, AUTOMATIC1111). The noise is (W(σ_next) − W(σ))/√|σ_next − σ|
 * in float32, with the times rounded to float32.
 */
public final class SdeNoiseSampler {

  /** The default of {@link io.github.ldm4j.sampler.SamplerOptions#noise()} for the SDE samplers. */
  public static final SdeNoise DEFAULT = SdeNoise.BROWNIAN;

  private final SigmaRun run;
  private final SdeNoise kind;
  private final List<BrownianTree> trees;
  private final int treeSign;

  private SdeNoiseSampler(SigmaRun run, SdeNoise kind, List<BrownianTree> trees, int treeSign) {
    this.run = run;
    this.kind = kind;
    this.trees = trees;
    this.treeSign = treeSign;
  }

  /**
   * The noise sampler of {@code run} for {@code kind}.
   *
   * @throws IllegalArgumentException for Brownian noise when the run's random source has no seeds, or
   *     neither one seed nor one per batch item
   */
  public static SdeNoiseSampler create(SigmaRun run, SdeNoise kind, String sampler) {
    if (kind == SdeNoise.INDEPENDENT) {
      return new SdeNoiseSampler(run, kind, List.of(), 1);
    }
    List<Long> seeds = run.seeds();
    Shape shape = run.latentShape();
    int batch = shape.dim(0);
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("sampler '" + sampler + "' draws Brownian-tree noise from the run's seeds, "
          + "but its random source has none (RandomSource.seeds()); use a seeded source or noise=independent");
    }
    if (seeds.size() != 1 && seeds.size() != batch) {
      throw new IllegalArgumentException("sampler '" + sampler + "': " + seeds.size() + " seeds for a batch of " + batch
          + "; Brownian-tree noise needs one seed or one per image");
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double s : run.sigmas()) {
      float f = (float) s;
      if (f > 0) {
        min = Math.min(min, f);
      }
      max = Math.max(max, f);
    }
    if (min == Double.POSITIVE_INFINITY) {
      min = max;
    }
    int sign = min < max ? 1 : -1;
    double t0 = Math.min(min, max);
    double t1 = Math.max(min, max);
    Shape treeShape = seeds.size() == 1 ? shape : shape.withDim(0, 1);
    List<BrownianTree> trees = seeds.stream().map(s -> new BrownianTree(t0, t1, treeShape, s)).toList();
    return new SdeNoiseSampler(run, kind, trees, sign);
  }

  /** Which noise this is. */
  public SdeNoise kind() {
    return kind;
  }

  /** Unit-variance noise for the step from σ {@code sigma} to {@code sigmaNext}. */
  public Tensor between(double sigma, double sigmaNext) {
    if (kind == SdeNoise.INDEPENDENT) {
      return run.randn();
    }
    float a = (float) sigma;
    float b = (float) sigmaNext;
    int sign = treeSign * (a < b ? 1 : -1);
    double lo = Math.min(a, b);
    double hi = Math.max(a, b);
    float norm = (float) Math.sqrt(Math.abs(b - a));
    Tensor[] parts = new Tensor[trees.size()];
    for (int k = 0; k < parts.length; k++) {
      parts[k] = trees.get(k).increment(lo, hi);
    }
    Tensor w = parts.length == 1 ? parts[0] : Tensor.concat(0, parts);
    float[] v = w.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = (sign * v[i]) / norm;
    }
    return Tensor.of(run.latentShape(), v);
  }
}
