package io.github.ldm4j.samplers;

import io.github.ldm4j.samplers.schedules.AlignYourSteps;
import io.github.ldm4j.samplers.schedules.DdimQuad;
import io.github.ldm4j.samplers.schedules.DdimUniform;
import io.github.ldm4j.samplers.schedules.DiffusersSpacing;
import io.github.ldm4j.samplers.schedules.DiffusersSpacing.Spacing;
import io.github.ldm4j.samplers.schedules.Exponential;
import io.github.ldm4j.samplers.schedules.Karras;
import io.github.ldm4j.samplers.schedules.LcmSchedule;
import io.github.ldm4j.samplers.schedules.Normal;
import io.github.ldm4j.samplers.schedules.Simple;
import io.github.ldm4j.spi.NamedServices;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The {@link StepScheduler}s by name: ComfyUI's {@code normal}, {@code karras}, {@code
 * exponential}, {@code sgm_uniform}, {@code simple}, {@code ddim_uniform}, {@code align_your_steps}; CompVis' {@code
 * ddim_quad}; diffusers' {@code leading}, {@code trailing}, {@code linspace} and {@code lcm}.
 * Names compare case-insensitively.
 */
public final class StepSchedulers {

  private static final Map<String, Function<ScheduleOptions, StepScheduler>> REGISTRY = registry();

  private StepSchedulers() {}

  private static Map<String, Function<ScheduleOptions, StepScheduler>> registry() {
    TreeMap<String, Function<ScheduleOptions, StepScheduler>> m = new TreeMap<>();
    m.put(Normal.NAME, o -> Normal.normal());
    m.put(Karras.NAME, o -> new Karras(o.rho()));
    m.put(Exponential.NAME, o -> new Exponential());
    m.put(Normal.NAME_SGM, o -> Normal.sgmUniform());
    m.put(Simple.NAME, o -> new Simple());
    m.put(DdimUniform.NAME, o -> new DdimUniform());
    m.put(AlignYourSteps.NAME, o -> new AlignYourSteps());
    m.put(DdimQuad.NAME, o -> new DdimQuad());
    for (Spacing s : Spacing.values()) {
      m.put(s.configName(), o -> DiffusersSpacing.of(s, o));
    }
    m.put(LcmSchedule.NAME, o -> new LcmSchedule(o.lcmOriginalSteps()));
    return m;
  }

  /** Every registered schedule name, sorted. */
  public static List<String> names() {
    return List.copyOf(REGISTRY.keySet());
  }

  /**
   * The schedule registered as {@code name}, configured with {@code options}.
   *
   * @throws IllegalArgumentException for an unknown name; the message lists the registered ones
   */
  public static StepScheduler create(String name, ScheduleOptions options) {
    Objects.requireNonNull(options, "options");
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    Function<ScheduleOptions, StepScheduler> f = REGISTRY.get(key);
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown schedule '" + name + "'" + NamedServices.didYouMean(name, REGISTRY.keySet()) + "; available: " + String.join(", ", REGISTRY.keySet()));
    }
    return f.apply(options);
  }

  /** {@link #create(String, ScheduleOptions)} with {@link ScheduleOptions#DEFAULTS}. */
  public static StepScheduler create(String name) {
    return create(name, ScheduleOptions.DEFAULTS);
  }
}
