package io.github.ldm4j.samplers.diffusers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The fields of a diffusers {@code scheduler/scheduler_config.json} that decide sampling, with
 * each class's defaults filled in for absent (or {@code null}) keys. Other keys are ignored.
 *
 * @param schedulerClass {@code _class_name}
 * @param numTrainTimesteps {@code num_train_timesteps}
 * @param betaStart {@code beta_start}
 * @param betaEnd {@code beta_end}
 * @param betaSchedule {@code beta_schedule}
 * @param trainedBetas {@code trained_betas}; empty when not given
 * @param predictionType {@code prediction_type}
 * @param timestepSpacing {@code timestep_spacing}
 * @param stepsOffset {@code steps_offset}
 * @param setAlphaToOne {@code set_alpha_to_one} (DDIM, PNDM, LCM)
 * @param skipPrkSteps {@code skip_prk_steps} (PNDM)
 * @param clipSample {@code clip_sample} (DDIM, DDPM, LCM)
 * @param thresholding {@code thresholding}
 * @param rescaleBetasZeroSnr {@code rescale_betas_zero_snr}
 * @param varianceType {@code variance_type} (DDPM)
 * @param solverOrder {@code solver_order} (DPM-Solver, UniPC)
 * @param algorithmType {@code algorithm_type} (DPM-Solver)
 * @param solverType {@code solver_type} (DPM-Solver: midpoint/heun; UniPC: bh1/bh2)
 * @param lowerOrderFinal {@code lower_order_final}
 * @param eulerAtFinal {@code euler_at_final} (DPM-Solver multistep)
 * @param predictX0 {@code predict_x0} (UniPC)
 * @param disableCorrector {@code disable_corrector} (UniPC)
 * @param useKarrasSigmas {@code use_karras_sigmas}
 * @param useExponentialSigmas {@code use_exponential_sigmas}
 * @param useBetaSigmas {@code use_beta_sigmas}
 * @param finalSigmasType {@code final_sigmas_type}
 * @param interpolationType {@code interpolation_type} (Euler)
 * @param originalInferenceSteps {@code original_inference_steps} (LCM)
 * @param timestepScaling {@code timestep_scaling} (LCM)
 */
public record SchedulerConfig(
    DiffusersClass schedulerClass,
    int numTrainTimesteps,
    double betaStart,
    double betaEnd,
    String betaSchedule,
    List<Double> trainedBetas,
    String predictionType,
    String timestepSpacing,
    int stepsOffset,
    boolean setAlphaToOne,
    boolean skipPrkSteps,
    boolean clipSample,
    boolean thresholding,
    boolean rescaleBetasZeroSnr,
    String varianceType,
    int solverOrder,
    String algorithmType,
    String solverType,
    boolean lowerOrderFinal,
    boolean eulerAtFinal,
    boolean predictX0,
    List<Integer> disableCorrector,
    boolean useKarrasSigmas,
    boolean useExponentialSigmas,
    boolean useBetaSigmas,
    String finalSigmasType,
    String interpolationType,
    int originalInferenceSteps,
    double timestepScaling) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The most training timesteps (and {@code trained_betas}) accepted: far above any published model
   * (1000 is the norm), low enough that the schedule arrays built from a config stay small.
   */
  public static final int MAX_TRAIN_TIMESTEPS = 100_000;

  /** Validates and copies the lists. */
  public SchedulerConfig {
    Objects.requireNonNull(schedulerClass, "schedulerClass");
    if (numTrainTimesteps < 2 || numTrainTimesteps > MAX_TRAIN_TIMESTEPS) {
      throw new IllegalArgumentException("num_train_timesteps must be in 2.." + MAX_TRAIN_TIMESTEPS + ", got "
          + numTrainTimesteps);
    }
    if (trainedBetas != null && trainedBetas.size() > MAX_TRAIN_TIMESTEPS) {
      throw new IllegalArgumentException("trained_betas holds " + trainedBetas.size() + " values; at most "
          + MAX_TRAIN_TIMESTEPS + " are accepted");
    }
    if (stepsOffset < 0) {
      throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
    }
    if (solverOrder < 1) {
      throw new IllegalArgumentException("solver_order must be >= 1, got " + solverOrder);
    }
    if (originalInferenceSteps < 1) {
      throw new IllegalArgumentException("original_inference_steps must be >= 1, got " + originalInferenceSteps);
    }
    trainedBetas = List.copyOf(Objects.requireNonNull(trainedBetas, "trainedBetas"));
    disableCorrector = List.copyOf(Objects.requireNonNull(disableCorrector, "disableCorrector"));
    for (String s : new String[] {betaSchedule, predictionType, timestepSpacing, varianceType, algorithmType,
        solverType, finalSigmasType, interpolationType}) {
      Objects.requireNonNull(s, "string fields must not be null");
    }
  }

  /**
   * Parses the JSON text of a {@code scheduler_config.json}.
   *
   * @throws IllegalArgumentException for malformed JSON, a missing or unsupported {@code _class_name}
   *     or a value of the wrong type (the message names the key)
   */
  public static SchedulerConfig parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("scheduler_config is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("scheduler_config must be a JSON object");
    }
    Reader r = new Reader(root);
    String className = r.string("_class_name", null);
    if (className == null) {
      throw new IllegalArgumentException("scheduler_config has no _class_name");
    }
    DiffusersClass c = DiffusersClass.fromClassName(className);
    boolean lcm = c == DiffusersClass.LCM;
    boolean unipc = c == DiffusersClass.UNIPC;
    return new SchedulerConfig(
        c,
        r.integer("num_train_timesteps", 1000),
        r.number("beta_start", lcm ? 0.00085 : 0.0001),
        r.number("beta_end", lcm ? 0.012 : 0.02),
        r.string("beta_schedule", lcm ? "scaled_linear" : "linear"),
        r.numbers("trained_betas"),
        r.string("prediction_type", "epsilon"),
        r.string("timestep_spacing", c.defaultSpacing()),
        r.integer("steps_offset", 0),
        r.bool("set_alpha_to_one", c.defaultSetAlphaToOne()),
        r.bool("skip_prk_steps", false),
        r.bool("clip_sample", c == DiffusersClass.DDIM || c == DiffusersClass.DDPM),
        r.bool("thresholding", false),
        r.bool("rescale_betas_zero_snr", false),
        r.string("variance_type", "fixed_small"),
        r.integer("solver_order", 2),
        r.string("algorithm_type", "dpmsolver++"),
        r.string("solver_type", unipc ? "bh2" : "midpoint"),
        r.bool("lower_order_final", true),
        r.bool("euler_at_final", false),
        r.bool("predict_x0", true),
        r.integers("disable_corrector"),
        r.bool("use_karras_sigmas", false),
        r.bool("use_exponential_sigmas", false),
        r.bool("use_beta_sigmas", false),
        r.string("final_sigmas_type", "zero"),
        r.string("interpolation_type", "linear"),
        r.integer("original_inference_steps", 50),
        r.number("timestep_scaling", 10.0));
  }

  /** Reads and {@linkplain #parse parses} a {@code scheduler_config.json} file. */
  public static SchedulerConfig read(Path file) {
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read scheduler config " + file, e);
    }
  }

  /** Typed access to optional keys, defaulting on absence or JSON null. */
  private record Reader(JsonNode root) {

    JsonNode get(String key) {
      JsonNode n = root.get(key);
      return n == null || n.isNull() ? null : n;
    }

    String string(String key, String fallback) {
      JsonNode n = get(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isTextual()) {
        throw wrongType(key, "a string", n);
      }
      return n.textValue();
    }

    int integer(String key, int fallback) {
      JsonNode n = get(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isIntegralNumber() || !n.canConvertToInt()) {
        throw wrongType(key, "an integer", n);
      }
      return n.intValue();
    }

    double number(String key, double fallback) {
      JsonNode n = get(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isNumber()) {
        throw wrongType(key, "a number", n);
      }
      return n.doubleValue();
    }

    boolean bool(String key, boolean fallback) {
      JsonNode n = get(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isBoolean()) {
        throw wrongType(key, "true or false", n);
      }
      return n.booleanValue();
    }

    List<Double> numbers(String key) {
      JsonNode n = get(key);
      List<Double> out = new ArrayList<>();
      if (n == null) {
        return out;
      }
      if (!n.isArray()) {
        throw wrongType(key, "an array of numbers", n);
      }
      for (JsonNode e : n) {
        if (!e.isNumber()) {
          throw wrongType(key, "an array of numbers", n);
        }
        out.add(e.doubleValue());
      }
      return out;
    }

    List<Integer> integers(String key) {
      JsonNode n = get(key);
      List<Integer> out = new ArrayList<>();
      if (n == null) {
        return out;
      }
      if (!n.isArray()) {
        throw wrongType(key, "an array of integers", n);
      }
      for (JsonNode e : n) {
        if (!e.isIntegralNumber() || !e.canConvertToInt()) {
          throw wrongType(key, "an array of integers", n);
        }
        out.add(e.intValue());
      }
      return out;
    }

    static IllegalArgumentException wrongType(String key, String expected, JsonNode got) {
      String text = got.toString();
      return new IllegalArgumentException("scheduler_config '" + key + "' must be " + expected + ", got "
          + (text.length() > 60 ? text.substring(0, 60) + "..." : text));
    }
  }
}
