package io.github.ldm4j.samplers;

import io.github.ldm4j.samplers.compvis.Ddim;
import io.github.ldm4j.samplers.compvis.Ddpm;
import io.github.ldm4j.samplers.compvis.DpmSolver;
import io.github.ldm4j.samplers.compvis.Plms;
import io.github.ldm4j.samplers.kdiffusion.Dpm2;
import io.github.ldm4j.samplers.kdiffusion.Dpm2Ancestral;
import io.github.ldm4j.samplers.kdiffusion.Dpmpp2m;
import io.github.ldm4j.samplers.kdiffusion.Dpmpp2mSde;
import io.github.ldm4j.samplers.kdiffusion.Dpmpp2sAncestral;
import io.github.ldm4j.samplers.kdiffusion.Dpmpp3mSde;
import io.github.ldm4j.samplers.kdiffusion.DpmppSde;
import io.github.ldm4j.samplers.kdiffusion.Euler;
import io.github.ldm4j.samplers.kdiffusion.EulerAncestral;
import io.github.ldm4j.samplers.kdiffusion.Heun;
import io.github.ldm4j.samplers.kdiffusion.Lcm;
import io.github.ldm4j.samplers.kdiffusion.Lms;
import io.github.ldm4j.samplers.kdiffusion.UniPc;
import io.github.ldm4j.samplers.schedules.AlignYourSteps;
import io.github.ldm4j.samplers.schedules.Exponential;
import io.github.ldm4j.samplers.schedules.Karras;
import io.github.ldm4j.samplers.schedules.Normal;
import io.github.ldm4j.samplers.schedules.Simple;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The AUTOMATIC1111 web-UI display names of the samplers and schedules, and their mapping to
 * ldm4j's names (ComfyUI's {@code KSAMPLER_NAMES} / {@code SCHEDULER_NAMES}, k-diffusion's {@code
 * sample_*} functions without the prefix).
 *
 * <p>A1111 shows a sampler as "Euler a", "DPM++ 2M", …; before its separate {@code scheduler} field
 * (1.9) the σ schedule rode on the name as a suffix: "DPM++ 2M Karras" is {@code dpmpp_2m} on {@code
 * karras} σ, "DPM++ 2M SDE Exponential" {@code dpmpp_2m_sde} on {@code exponential}. Since 1.9 the
 * {@code scheduler} field holds a label ("Karras", "SGM Uniform", …) or "Automatic" (the sampler's
 * own, so the suffix if any). ldm4j names are accepted wherever a display name is, so a client may
 * use either. Display names compare case-insensitively; suffixes are matched as A1111 writes them.
 */
public final class SamplerNames {

  /** ldm4j sampler name → A1111 display name (A1111's {@code samplers_k_diffusion} labels and friends). */
  private static final Map<String, String> DISPLAY = Map.ofEntries(
      Map.entry(Euler.NAME, "Euler"),
      Map.entry(EulerAncestral.NAME, "Euler a"),
      Map.entry(Heun.NAME, "Heun"),
      Map.entry(Lms.NAME, "LMS"),
      Map.entry(Dpm2.NAME, "DPM2"),
      Map.entry(Dpm2Ancestral.NAME, "DPM2 a"),
      Map.entry(Dpmpp2sAncestral.NAME, "DPM++ 2S a"),
      Map.entry(DpmppSde.NAME, "DPM++ SDE"),
      Map.entry(Dpmpp2m.NAME, "DPM++ 2M"),
      Map.entry(Dpmpp2mSde.NAME, "DPM++ 2M SDE"),
      Map.entry(Dpmpp3mSde.NAME, "DPM++ 3M SDE"),
      Map.entry(Ddim.NAME, "DDIM"),
      Map.entry(Plms.NAME, "PLMS"),
      Map.entry(UniPc.NAME, "UniPC"),
      Map.entry(Lcm.NAME, "LCM"),
      Map.entry(Ddpm.NAME, "DDPM"),
      Map.entry(DpmSolver.NAME, "DPM Solver"));

  /**
   * A1111 scheduler label → ldm4j schedule name, for the labels whose A1111 schedule is the ldm4j
   * (ComfyUI) one of that name; other values of the {@code scheduler} field are taken as ldm4j names.
   * One differs: A1111's "Align Your Steps" interpolates the eleven published SD 1.5 levels (rounded
   * to three decimals) to n levels, 0.029 the last one evaluated, where ComfyUI's and ldm4j's {@code
   * align_your_steps} run the published levels themselves at 10 steps (the last becoming 0); the label
   * selects ldm4j's.
   */
  private static final Map<String, String> SCHEDULE_LABELS = Map.of(
      "Karras", Karras.NAME,
      "Exponential", Exponential.NAME,
      "SGM Uniform", Normal.NAME_SGM,
      "Normal", Normal.NAME,
      "Simple", Simple.NAME,
      "Align Your Steps", AlignYourSteps.NAME);

  /** The schedule suffixes of pre-1.9 A1111 sampler names, in the order they are stripped. */
  private static final List<String> SUFFIXES = List.of("Karras", "Exponential");

  /** The A1111 {@code scheduler} value that leaves the schedule to the sampler name. */
  private static final String AUTOMATIC = "automatic";

  private SamplerNames() {}

  /**
   * A sampler and a schedule as a front end named them, in ldm4j's names.
   *
   * @param sampler the sampler; empty when none was named (the model's default)
   * @param schedule the schedule; empty when none was named (the model's default)
   */
  public record Selection(Optional<String> sampler, Optional<String> schedule) {

    /** Validates. */
    public Selection {
      Objects.requireNonNull(sampler, "sampler");
      Objects.requireNonNull(schedule, "schedule");
    }
  }

  /**
   * The A1111 label of ldm4j schedule {@code schedule} ("karras" → "Karras", "sgm_uniform" → "SGM
   * Uniform"), or the name itself for a schedule A1111 does not name.
   */
  public static String scheduleLabel(String schedule) {
    return SCHEDULE_LABELS.entrySet().stream().filter(e -> e.getValue().equals(schedule)).map(Map.Entry::getKey)
        .findFirst().orElse(schedule);
  }

  /** The A1111 display name of ldm4j sampler {@code sampler} ("euler_ancestral" → "Euler a"), or the name itself. */
  public static String displayName(String sampler) {
    return DISPLAY.getOrDefault(sampler, sampler);
  }

  /**
   * An A1111 or ldm4j sampler name with its optional schedule suffix: "DPM++ 2M Karras" →
   * ({@code dpmpp_2m}, {@code karras}), "Euler a" → ({@code euler_ancestral}, none), "dpmpp_2m" →
   * ({@code dpmpp_2m}, none). A name that is no display name is passed on as it is (less its
   * suffix), for the sampler registry to accept or reject; null or blank names none.
   */
  public static Selection fromDisplayName(String name) {
    if (name == null || name.isBlank()) {
      return new Selection(Optional.empty(), Optional.empty());
    }
    String n = name.trim();
    String schedule = null;
    for (String suffix : SUFFIXES) {
      if (n.endsWith(" " + suffix)) {
        schedule = SCHEDULE_LABELS.get(suffix);
        n = n.substring(0, n.length() - suffix.length() - 1);
      }
    }
    for (Map.Entry<String, String> e : DISPLAY.entrySet()) {
      if (e.getValue().equalsIgnoreCase(n)) {
        return new Selection(Optional.of(e.getKey()), Optional.ofNullable(schedule));
      }
    }
    return new Selection(Optional.of(n), Optional.ofNullable(schedule));
  }

  /**
   * The A1111 {@code sampler_name} and {@code scheduler} fields together: the scheduler, unless
   * null or "Automatic", overrides the name's suffix; a scheduler label ("SGM Uniform") becomes its
   * ldm4j name, any other value is taken as an ldm4j schedule name (lower-cased).
   */
  public static Selection fromDisplayNames(String sampler, String scheduler) {
    Selection s = fromDisplayName(sampler);
    if (scheduler == null || scheduler.equalsIgnoreCase(AUTOMATIC)) {
      return s;
    }
    String schedule = SCHEDULE_LABELS.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(scheduler.trim()))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(scheduler.toLowerCase(Locale.ROOT));
    return new Selection(s.sampler(), Optional.of(schedule));
  }
}
