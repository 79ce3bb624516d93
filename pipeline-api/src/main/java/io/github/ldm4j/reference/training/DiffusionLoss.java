package io.github.ldm4j.reference.training;

import io.github.ldm4j.diffusion.ForwardProcess;
import io.github.ldm4j.diffusion.Steps;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The training objective of CompVis {@code LatentDiffusion.p_losses}, usable to score a model on
 * data: noise x<sub>0</sub> to x<sub>t</sub> with {@code q_sample}, ask the model, and compare its
 * output with the target of its parameterization (ε for eps, x<sub>0</sub> for x0, v for v).
 *
 * <p>Per batch item b, loss_b = mean over all other axes of the element loss ({@link LossType}).
 * Then loss_simple = mean<sub>b</sub> loss_b; loss_vlb = mean<sub>b</sub> lvlb_weight[t<sub>b</sub>]·loss_b
 * (the schedule's weights for eps and x0, 1 for v); loss = l_simple_weight·mean<sub>b</sub>(loss_b /
 * exp(logvar) + logvar) + original_elbo_weight·loss_vlb. Reductions are in double.
 *
 * <p>Immutable and thread-safe.
 */
public final class DiffusionLoss {

  private final ForwardProcess q;
  private final Parameterization parameterization;
  private final LossConfig config;

  /**
   * The loss of a {@code parameterization} model on {@code schedule}.
   *
   * @param config weights and loss type
   */
  public DiffusionLoss(DiffusionSchedule schedule, Parameterization parameterization, LossConfig config) {
    this.q = new ForwardProcess(schedule);
    this.parameterization = Objects.requireNonNull(parameterization, "parameterization");
    this.config = Objects.requireNonNull(config, "config");
  }

  /** The schedule. */
  public DiffusionSchedule schedule() {
    return q.schedule();
  }

  /** The parameterization whose target is used. */
  public Parameterization parameterization() {
    return parameterization;
  }

  /** The weights. */
  public LossConfig config() {
    return config;
  }

  /**
   * The variational-bound weight at timestep {@code t}: the schedule's eps or x0 {@code
   * lvlb_weights}, or 1 for v (as CompVis sets them for v).
   */
  public double lvlbWeight(int t) {
    DiffusionSchedule s = q.schedule();
    return switch (parameterization) {
      case EPS -> s.lvlbWeightEps(t);
      case X0 -> s.lvlbWeightX0(t);
      case V -> {
        s.check(t);
        yield 1.0;
      }
    };
  }

  /** The training target for clean {@code x0} noised with {@code noise} at {@code t}: ε, x<sub>0</sub> or v. */
  public Tensor target(Tensor x0, int[] t, Tensor noise) {
    Steps.checkBatch("x0", x0);
    Steps.checkLike("noise", noise, x0);
    Steps.checkTimesteps("t", t, x0, q.schedule());
    return switch (parameterization) {
      case EPS -> noise;
      case X0 -> x0;
      case V -> q.velocity(x0, t, noise);
    };
  }

  /**
   * The loss terms of a model output against its target at per-item timesteps {@code t}.
   *
   * @param modelOutput {@code [B, ...]}
   * @param target shaped like the output
   * @param t one timestep per batch item
   */
  public LossTerms terms(Tensor modelOutput, Tensor target, int[] t) {
    Steps.checkBatch("model output", modelOutput);
    Steps.checkLike("target", target, modelOutput);
    Steps.checkTimesteps("t", t, modelOutput, q.schedule());
    int b = t.length;
    int stride = modelOutput.shape().strideOfFirstAxis();
    double[] perItem = new double[b];
    double simple = 0;
    double vlb = 0;
    double gamma = 0;
    double expLogvar = Math.exp(config.logvar());
    for (int n = 0; n < b; n++) {
      double s = 0;
      for (int i = n * stride, end = i + stride; i < end; i++) {
        s += config.lossType().of(modelOutput.get(i), target.get(i));
      }
      perItem[n] = s / stride;
      simple += perItem[n];
      vlb += lvlbWeight(t[n]) * perItem[n];
      gamma += perItem[n] / expLogvar + config.logvar();
    }
    simple /= b;
    vlb /= b;
    gamma /= b;
    double loss = config.lSimpleWeight() * gamma + config.originalElboWeight() * vlb;
    return new LossTerms(simple, vlb, loss, perItem);
  }

  /**
   * CompVis {@code p_losses(x_start, cond, t, noise)}: x<sub>t</sub> = q_sample(x0, t, noise), the
   * model's output at (x<sub>t</sub>, t) against the parameterization's target.
   *
   * @param model the model with its conditioning bound
   * @param x0 clean samples {@code [B, ...]}
   * @param t one timestep per batch item
   * @param noise ε, shaped like {@code x0}
   * @throws IllegalStateException when the model's output is non-finite or wrongly shaped
   */
  public LossTerms pLosses(BatchModel model, Tensor x0, int[] t, Tensor noise) {
    Objects.requireNonNull(model, "model");
    Tensor xt = q.qSample(x0, t, noise);
    Tensor out = model.apply(xt, t.clone());
    Steps.checkModelOutput(out, xt, "timesteps " + Arrays.toString(t));
    return terms(out, target(x0, t, noise), t);
  }

  /**
   * {@link #pLosses(BatchModel, Tensor, int[], Tensor)} with the timesteps from {@code timesteps}
   * and then the noise from {@code rng} (CompVis order: {@code randint} in {@code forward}, then
   * {@code randn_like} in {@code p_losses}).
   */
  public LossTerms pLosses(BatchModel model, Tensor x0, TimestepDraw timesteps, RandomSource rng) {
    Objects.requireNonNull(timesteps, "timesteps");
    Objects.requireNonNull(rng, "rng");
    Steps.checkBatch("x0", x0);
    int[] t = timesteps.draw(x0.dim(0), q.schedule().timesteps());
    Steps.checkTimesteps("drawn timesteps", t, x0, q.schedule());
    return pLosses(model, x0, t, rng.randn(x0.shape()));
  }
}
