package io.github.ldm4j.diffusion;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * One step of the ancestral reverse process of CompVis {@code DDPM}: the model's output becomes an
 * x<sub>0</sub> estimate ({@code p_mean_variance}), that estimate the posterior
 * q(x<sub>t−1</sub> | x<sub>t</sub>, x̂<sub>0</sub>), and a draw from it the next latent ({@code
 * p_sample}). The whole loop is {@link AncestralSampling}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ReverseProcess {

  private final ForwardProcess q;

  /** The reverse process of {@code schedule}. */
  public ReverseProcess(DiffusionSchedule schedule) {
    this.q = new ForwardProcess(schedule);
  }

  /** The schedule. */
  public DiffusionSchedule schedule() {
    return q.schedule();
  }

  /**
   * CompVis {@code clip_denoised}: clamps an x<sub>0</sub> estimate to [−1, 1] (the data range),
   * into a new tensor.
   */
  public static Tensor clipDenoised(Tensor x0) {
    return x0.map(v -> Math.min(Math.max(v, -1.0), 1.0));
  }

  /**
   * The x<sub>0</sub> a model output implies at x<sub>t</sub>: {@code predict_start_from_noise}
   * for eps, the output itself for x0, {@code predict_start_from_z_and_v} for v.
   */
  public Tensor predictStart(Parameterization parameterization, Tensor modelOutput, Tensor x, int[] t) {
    Objects.requireNonNull(parameterization, "parameterization");
    return switch (parameterization) {
      case EPS -> q.predictStartFromNoise(x, t, modelOutput);
      case X0 -> {
        Steps.checkBatch("x_t", x);
        Steps.checkLike("model output", modelOutput, x);
        Steps.checkTimesteps("t", t, x, schedule());
        yield modelOutput;
      }
      case V -> q.predictStartFromV(x, t, modelOutput);
    };
  }

  /**
   * CompVis {@code p_mean_variance}: x̂<sub>0</sub> from the model output (clipped to [−1, 1]
   * when {@code clipDenoised}), then {@code q_posterior(x̂_0, x_t, t)}.
   *
   * @param parameterization what {@code modelOutput} predicts
   * @param modelOutput the model's output at ({@code x}, {@code t}), shaped like {@code x}
   * @param x x<sub>t</sub> {@code [B, ...]}
   * @param t one timestep per batch item
   * @param clipDenoised whether to clamp x̂<sub>0</sub> to [−1, 1]
   */
  public ModelMeanVariance pMeanVariance(
      Parameterization parameterization, Tensor modelOutput, Tensor x, int[] t, boolean clipDenoised) {
    Tensor x0 = predictStart(parameterization, modelOutput, x, t);
    if (clipDenoised) {
      x0 = clipDenoised(x0);
    }
    return new ModelMeanVariance(q.qPosterior(x0, x, t), x0);
  }

  /**
   * CompVis {@code p_sample} given the step's distribution and noise: mean + exp(½·log-variance)·ε,
   * with the noise term masked out where {@code t == 0} (the last step returns the mean).
   *
   * @param step the result of {@link #pMeanVariance} at {@code t}
   * @param t the timesteps {@code step} was computed for
   * @param noise ε, shaped like the mean
   */
  public Tensor pSample(ModelMeanVariance step, int[] t, Tensor noise) {
    Objects.requireNonNull(step, "step");
    Gaussian p = step.distribution();
    Steps.checkLike("noise", noise, p.mean());
    Steps.checkTimesteps("t", t, p.mean(), schedule());
    int b = t.length;
    double[] ones = new double[b];
    double[] std = new double[b];
    for (int i = 0; i < b; i++) {
      ones[i] = 1;
      std[i] = t[i] == 0 ? 0 : Math.exp(0.5 * p.logVariance(i));
    }
    return Tensor.lincombPerBatch(ones, p.mean(), std, noise);
  }

  /**
   * CompVis {@code p_sample} for a whole batch at timestep {@code t}: evaluates {@code model},
   * builds the step's distribution and draws from it. One {@code randn} of x's shape is taken from
   * {@code rng} even at t = 0, where it is masked out, as the reference does, so the noise stream
   * stays aligned with it.
   *
   * @return the next latent and the step's x<sub>0</sub> estimate
   * @throws IllegalStateException when the model returns a wrongly shaped or non-finite output
   */
  public Step pSample(
      ModelFunction model, Parameterization parameterization, Tensor x, int t, RandomSource rng, boolean clipDenoised) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(rng, "rng");
    Steps.checkBatch("x_t", x);
    int[] ts = Steps.checkTimesteps("t", Steps.uniform(x.dim(0), t), x, schedule());
    Tensor out = model.apply(x, t);
    Steps.checkModelOutput(out, x, "timestep " + t);
    ModelMeanVariance mv = pMeanVariance(parameterization, out, x, ts, clipDenoised);
    Tensor noise = rng.randn(x.shape());
    return new Step(pSample(mv, ts, noise), mv.predictedX0());
  }

  /**
   * The outcome of one reverse step.
   *
   * @param sample x<sub>t−1</sub>
   * @param predictedX0 the x<sub>0</sub> estimate the step used
   */
  public record Step(Tensor sample, Tensor predictedX0) {
    /** Validates. */
    public Step {
      Objects.requireNonNull(sample, "sample");
      Objects.requireNonNull(predictedX0, "predictedX0");
    }
  }
}
