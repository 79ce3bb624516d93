package io.github.ldm4j.samplers.diffusers;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.samplers.ScheduleOptions;
import io.github.ldm4j.samplers.ScheduleOptions.SpacingGrid;
import io.github.ldm4j.schedule.BetaSchedule;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a diffusers {@code scheduler_config.json} to the {@link SamplerRecipe} that reproduces it,
 * so a model runs with the sampling defaults its author shipped:
 *
 * <table>
 *   <caption>class → sampler</caption>
 *   <tr><th>diffusers class</th><th>sampler</th></tr>
 *   <tr><td>DDIMScheduler</td><td>{@code ddim} (η = 0, diffusers' pipeline default)</td></tr>
 *   <tr><td>PNDMScheduler</td><td>{@code plms}</td></tr>
 *   <tr><td>DDPMScheduler</td><td>{@code ddpm}</td></tr>
 *   <tr><td>LMSDiscreteScheduler</td><td>{@code lms} (order 4)</td></tr>
 *   <tr><td>EulerDiscreteScheduler</td><td>{@code euler}</td></tr>
 *   <tr><td>EulerAncestralDiscreteScheduler</td><td>{@code euler_ancestral}</td></tr>
 *   <tr><td>HeunDiscreteScheduler</td><td>{@code heun}</td></tr>
 *   <tr><td>KDPM2DiscreteScheduler</td><td>{@code dpm_2}</td></tr>
 *   <tr><td>KDPM2AncestralDiscreteScheduler</td><td>{@code dpm_2_ancestral}</td></tr>
 *   <tr><td>DPMSolverMultistepScheduler</td><td>dpmsolver++: order 1 {@code euler} (first-order
 *       DPM-Solver++ is Euler in σ), 2 {@code dpmpp_2m}, 3 {@code dpmpp_3m_sde} η = 0;
 *       sde-dpmsolver++: {@code dpmpp_2m_sde} / {@code dpmpp_3m_sde} η = 1; dpmsolver: {@code
 *       dpm_solver_eps}</td></tr>
 *   <tr><td>DPMSolverSinglestepScheduler</td><td>order 1 {@code euler}, else {@code
 *       dpmpp_2s_ancestral} η = 0</td></tr>
 *   <tr><td>UniPCMultistepScheduler</td><td>{@code uni_pc} with {@code solver_order}</td></tr>
 *   <tr><td>LCMScheduler</td><td>{@code lcm} on the {@code lcm} schedule</td></tr>
 * </table>
 *
 * The step schedule is {@code karras} / {@code exponential} when {@code use_karras_sigmas} /
 * {@code use_exponential_sigmas} is set, else the {@code timestep_spacing} with {@code steps_offset}
 * (on the {@link SpacingGrid#SOLVER} grid for the DPM-Solver and UniPC classes). The training
 * schedule comes from {@code trained_betas} or {@code beta_schedule}/{@code beta_start}/{@code
 * beta_end}/{@code num_train_timesteps} (computed in double, where diffusers uses float32), the
 * parameterization from {@code prediction_type}. What cannot be reproduced exactly is listed in
 * {@link SamplerRecipe#deviations()}; what cannot be represented at all ({@code
 * rescale_betas_zero_snr}, unknown names) is rejected.
 */
public final class DiffusersSchedulers {

  private DiffusersSchedulers() {}

  /** The recipe for a parsed config. */
  public static SamplerRecipe recipe(SchedulerConfig c) {
    List<String> dev = new ArrayList<>();
    DiffusionSchedule schedule = diffusionSchedule(c);
    Parameterization p = Parameterization.fromName(c.predictionType());
    if (c.thresholding()) {
      dev.add("thresholding=true: dynamic thresholding of the predicted x0 is not applied");
    }
    SamplerOptions d = SamplerOptions.DEFAULTS;
    String sampler;
    SamplerOptions so = d;
    SpacingGrid grid = SpacingGrid.PLAIN;
    switch (c.schedulerClass()) {
      case DDIM -> {
        sampler = "ddim";
        so = d.withEta(0);
        alphaToOne(c, dev);
        clipSample(c, dev);
        if (c.timestepSpacing().equals("linspace")) {
          dev.add("timestep_spacing=linspace: diffusers' DDIM steps from t to t - T/S; ddim steps to the next "
              + "planned timestep");
        }
      }
      case PNDM -> {
        sampler = "plms";
        alphaToOne(c, dev);
        if (!c.skipPrkSteps()) {
          dev.add("skip_prk_steps=false: PNDM's Runge-Kutta warm-up is replaced by PLMS' pseudo improved Euler "
              + "first step");
        }
      }
      case DDPM -> {
        sampler = "ddpm";
        clipSample(c, dev);
        if (!c.varianceType().equals("fixed_small")) {
          dev.add("variance_type=" + c.varianceType() + ": ddpm uses the fixed_small posterior variance");
        }
      }
      case LMS -> {
        sampler = "lms";
        so = d.withOrder(4);
      }
      case EULER -> {
        sampler = "euler";
        if (!c.interpolationType().equals("linear")) {
          dev.add("interpolation_type=" + c.interpolationType() + ": sigmas come from the schedule as with 'linear'");
        }
      }
      case EULER_ANCESTRAL -> sampler = "euler_ancestral";
      case HEUN -> sampler = "heun";
      case KDPM2 -> sampler = "dpm_2";
      case KDPM2_ANCESTRAL -> sampler = "dpm_2_ancestral";
      case DPM_SOLVER_MULTISTEP -> {
        grid = SpacingGrid.SOLVER;
        Choice choice = dpmSolverMultistep(c, dev);
        sampler = choice.sampler();
        so = choice.options();
      }
      case DPM_SOLVER_SINGLESTEP -> {
        grid = SpacingGrid.SOLVER;
        if (c.solverOrder() == 1) {
          sampler = "euler";
        } else {
          sampler = "dpmpp_2s_ancestral";
          so = d.withEta(0);
          dev.add("DPMSolverSinglestepScheduler order " + c.solverOrder() + " (" + c.algorithmType()
              + "): runs as DPM-Solver++(2S) with the intermediate point at the λ-midpoint and two model calls "
              + "per step, not diffusers' grid-based single-step schedule");
        }
      }
      case UNIPC -> {
        grid = SpacingGrid.SOLVER;
        sampler = "uni_pc";
        int order = Math.min(3, c.solverOrder());
        so = d.withOrder(order);
        if (c.solverOrder() > 3) {
          dev.add("solver_order=" + c.solverOrder() + ": uni_pc supports orders up to 3 and runs order 3");
        }
        if (!c.solverType().equals("bh2")) {
          dev.add("solver_type=" + c.solverType() + ": uni_pc is the bh2 variant");
        }
        if (!c.predictX0()) {
          dev.add("predict_x0=false: uni_pc runs on the data prediction");
        }
        if (!c.disableCorrector().isEmpty()) {
          dev.add("disable_corrector=" + c.disableCorrector() + ": the corrector runs at every step");
        }
        if (!c.lowerOrderFinal()) {
          dev.add("lower_order_final=false: uni_pc always lowers the order over the last steps");
        }
      }
      case LCM -> {
        sampler = "lcm";
        if (c.timestepScaling() != 10.0) {
          dev.add("timestep_scaling=" + c.timestepScaling() + ": lcm uses diffusers' default 10");
        }
      }
      default -> throw new IllegalStateException("unmapped class " + c.schedulerClass());
    }
    ScheduleOptions opts = ScheduleOptions.DEFAULTS.withGrid(grid).withStepsOffset(c.stepsOffset())
        .withLcmOriginalSteps(c.originalInferenceSteps());
    String scheduleName = scheduleName(c, dev);
    if (c.schedulerClass().hasSigmaOptions() && !c.finalSigmasType().equals("zero")) {
      dev.add("final_sigmas_type=" + c.finalSigmasType() + ": the sigma plan ends at 0");
    }
    if ((scheduleName.equals("karras") || scheduleName.equals("exponential")) && grid == SpacingGrid.SOLVER
        && !sampler.startsWith("dpm_solver")) {
      dev.add("use_" + scheduleName + "_sigmas: the model is evaluated at each sigma's fractional timestep; "
          + c.schedulerClass().className() + " rounds those timesteps to integers");
    }
    return new SamplerRecipe(sampler, so, scheduleName, opts, schedule, p, dev);
  }

  /** The recipe for the JSON text of a {@code scheduler_config.json}. */
  public static SamplerRecipe recipe(String json) {
    return recipe(SchedulerConfig.parse(json));
  }

  /** The recipe for a {@code scheduler_config.json} file. */
  public static SamplerRecipe recipe(Path file) {
    return recipe(SchedulerConfig.read(file));
  }

  /** The training noise schedule of a config. */
  public static DiffusionSchedule diffusionSchedule(SchedulerConfig c) {
    if (c.rescaleBetasZeroSnr()) {
      throw new IllegalArgumentException(
          "rescale_betas_zero_snr=true is not supported: a zero terminal SNR has no finite sigma_max");
    }
    if (!c.trainedBetas().isEmpty()) {
      double[] betas = c.trainedBetas().stream().mapToDouble(Double::doubleValue).toArray();
      return DiffusionSchedule.ofGivenBetas(betas, 0);
    }
    return DiffusionSchedule.of(BetaSchedule.fromDiffusers(c.betaSchedule(), c.betaStart(), c.betaEnd()),
        c.numTrainTimesteps());
  }

  private static String scheduleName(SchedulerConfig c, List<String> dev) {
    if (c.schedulerClass() == DiffusersClass.LCM) {
      if (!c.timestepSpacing().equals("leading")) {
        dev.add("timestep_spacing=" + c.timestepSpacing() + ": LCM timesteps always come from its distillation grid");
      }
      return "lcm";
    }
    if (c.schedulerClass().hasSigmaOptions()) {
      if (c.useBetaSigmas()) {
        dev.add("use_beta_sigmas=true: beta sigmas are not available; using timestep_spacing " + c.timestepSpacing());
      } else if (c.useKarrasSigmas()) {
        return "karras";
      } else if (c.useExponentialSigmas()) {
        return "exponential";
      }
    }
    String s = c.timestepSpacing();
    if (!s.equals("leading") && !s.equals("trailing") && !s.equals("linspace")) {
      throw new IllegalArgumentException(
          "unsupported timestep_spacing '" + s + "'; expected one of leading, trailing, linspace");
    }
    return s;
  }

  /** A sampler with its options. */
  private record Choice(String sampler, SamplerOptions options) {}

  private static Choice dpmSolverMultistep(SchedulerConfig c, List<String> dev) {
    SamplerOptions d = SamplerOptions.DEFAULTS;
    int order = c.solverOrder();
    if (order > 3) {
      dev.add("solver_order=" + order + ": runs order 3");
      order = 3;
    }
    if (c.solverType().equals("heun") && order > 1) {
      dev.add("solver_type=heun: the second-order correction is the midpoint one");
    }
    String algo = c.algorithmType();
    switch (algo) {
      case "dpmsolver++" -> {
        if (order == 3 && c.lowerOrderFinal()) {
          dev.add("lower_order_final: diffusers lowers the order of the last two steps below 15 steps; "
              + "dpmpp_3m_sde keeps third order until the final step");
        }
        return switch (order) {
          case 1 -> new Choice("euler", d);
          case 2 -> new Choice("dpmpp_2m", d);
          default -> new Choice("dpmpp_3m_sde", d.withEta(0));
        };
      }
      case "sde-dpmsolver++" -> {
        if (order == 1) {
          dev.add("sde-dpmsolver++ order 1: runs the second-order dpmpp_2m_sde");
        }
        return new Choice(order == 3 ? "dpmpp_3m_sde" : "dpmpp_2m_sde", d.withEta(1));
      }
      case "dpmsolver", "sde-dpmsolver" -> {
        dev.add("algorithm_type=" + algo + ": runs as CompVis' noise-prediction multistep DPM-Solver "
            + "(dpm_solver_eps) on the integer timesteps, ending at alpha_bar[0] instead of sigma = 0"
            + (algo.startsWith("sde") ? ", without the SDE noise" : ""));
        return new Choice("dpm_solver_eps", d.withOrder(order));
      }
      default -> throw new IllegalArgumentException("unsupported algorithm_type '" + algo
          + "'; expected one of dpmsolver++, sde-dpmsolver++, dpmsolver, sde-dpmsolver");
    }
  }

  private static void alphaToOne(SchedulerConfig c, List<String> dev) {
    if (c.setAlphaToOne()) {
      dev.add("set_alpha_to_one=true: the last step goes to alpha_bar[0] (CompVis), not to 1");
    }
  }

  private static void clipSample(SchedulerConfig c, List<String> dev) {
    if (c.clipSample()) {
      dev.add("clip_sample=true: the predicted x0 is not clipped");
    }
  }
}
