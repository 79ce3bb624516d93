package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.ScheduleOptions.SpacingGrid;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Step schedules against reference values for SD v1 (linear 0.00085 → 0.012, T = 1000). */
class ScheduleValuesTest {

  static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();

  static int[] timesteps(String name, int steps, ScheduleOptions o) {
    return ((StepPlan.Timesteps) StepSchedulers.create(name, o).plan(SD, steps, StepPlan.Kind.TIMESTEPS)).values();
  }

  static int[] timesteps(String name, int steps) {
    return timesteps(name, steps, ScheduleOptions.DEFAULTS);
  }

  static double[] sigmas(String name, int steps) {
    return ((StepPlan.Sigmas) StepSchedulers.create(name).plan(SD, steps, StepPlan.Kind.SIGMAS)).values();
  }

  static int[] descending(int from, int step, int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = from - i * step;
    }
    return out;
  }

  @Test
  void karrasTenStepsMatchTheReferenceFacts() {
    // facts.md §2: Karras σ, 10 steps, ρ = 7, σ_min…σ_max (then 0).
    double[] facts = {14.61464, 9.10293, 5.47839, 3.1686, 1.74942, 0.91407, 0.44692, 0.2014, 0.08191, 0.02917, 0};
    double[] s = sigmas("karras", 10);
    assertThat(s).hasSize(11);
    for (int i = 0; i < facts.length; i++) {
      assertThat(s[i]).as("sigma %d", i).isCloseTo(facts[i], offset(Math.max(5e-6, facts[i] * 2e-5)));
    }
    // facts.md §2: σ_min, σ_max in full precision.
    assertThat(s[0]).isCloseTo(14.614641229333639, offset(1e-12));
    assertThat(s[9]).isCloseTo(0.029167158151720367, offset(1e-15));
  }

  @Test
  void karrasAsTimestepsRoundsLikeDiffusers() {
    // numpy: round(sigma_to_t(karras σ)) as diffusers' use_karras_sigmas.
    assertThat(timesteps("karras", 10)).containsExactly(999, 916, 815, 687, 523, 327, 146, 41, 7, 0);
  }

  @Test
  void ddimUniformIsCompVisMakeDdimTimesteps() {
    // facts.md §2: CompVis DDIM timesteps, 50 steps, uniform: 1, 21, …, 981 (visited from the top).
    assertThat(timesteps("ddim_uniform", 50)).containsExactly(descending(981, 20, 50));
    // range(0, 1000, 1000 // 30) + 1 has 31 entries, the last 991.
    int[] t30 = timesteps("ddim_uniform", 30);
    assertThat(t30).hasSize(31);
    assertThat(t30[0]).isEqualTo(991);
    assertThat(t30[30]).isEqualTo(1);
    // As σ: σ(981), …, σ(1), 0 (ComfyUI ddim_scheduler).
    double[] s = sigmas("ddim_uniform", 50);
    assertThat(s).hasSize(51);
    assertThat(s[0]).isEqualTo(SD.sigma(981));
    assertThat(s[49]).isEqualTo(SD.sigma(1));
    assertThat(s[50]).isZero();
  }

  @Test
  void ddimQuadDropsRepeatedTimesteps() {
    // numpy: (linspace(0, sqrt(800), 50) ** 2).astype(int) + 1 = 1, 1, 2, 3, 6, 9, …, 768, 801.
    int[] t = timesteps("ddim_quad", 50);
    assertThat(t).hasSize(49);
    assertThat(Arrays.copyOf(t, 3)).containsExactly(801, 768, 737);
    assertThat(Arrays.copyOfRange(t, 44, 49)).containsExactly(9, 6, 3, 2, 1);
  }

  @Test
  void diffusersSpacings() {
    // diffusers DDIM/PNDM, SD 1.5 config: leading with steps_offset 1 = 981, 961, …, 1.
    assertThat(timesteps("leading", 50, ScheduleOptions.DEFAULTS.withStepsOffset(1)))
        .containsExactly(descending(981, 20, 50));
    assertThat(timesteps("leading", 50)).containsExactly(descending(980, 20, 50));
    // trailing: round(arange(1000, 0, -20)) - 1 = 999, 979, …, 19.
    assertThat(timesteps("trailing", 50)).containsExactly(descending(999, 20, 50));
    // numpy: linspace(0, 999, 50).round()[::-1]
    int[] lin = timesteps("linspace", 50);
    assertThat(Arrays.copyOf(lin, 4)).containsExactly(999, 979, 958, 938);
    assertThat(Arrays.copyOfRange(lin, 46, 50)).containsExactly(61, 41, 20, 0);
    // Solver grid (DPM-Solver multistep, UniPC): linspace(0, 999, 21).round()[::-1][:-1]
    ScheduleOptions solver = ScheduleOptions.DEFAULTS.withGrid(SpacingGrid.SOLVER);
    assertThat(timesteps("linspace", 20, solver)).containsExactly(
        999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200, 150, 100, 50);
    // (arange(0, 21) * (1000 // 21))[::-1][:-1] + 1
    assertThat(timesteps("leading", 20, solver.withStepsOffset(1))).containsExactly(descending(941, 47, 20));
  }

  @Test
  void linspaceSigmasInterpolateLinearlyLikeDiffusersEuler() {
    // diffusers Euler: t = linspace(0, 999, S)[::-1] (float), σ = np.interp(t, arange(1000), σ_train).
    double[] s = sigmas("linspace", 50);
    double t = 999.0 * 48 / 49; // 978.63…
    int lo = (int) Math.floor(t);
    double expected = (1 - (t - lo)) * SD.sigma(lo) + (t - lo) * SD.sigma(lo + 1);
    assertThat(s[1]).isCloseTo(expected, offset(1e-14));
    assertThat(s[0]).isEqualTo(SD.sigma(999));
    assertThat(s[49]).isEqualTo(SD.sigma(0));
    assertThat(s[50]).isZero();
  }

  @Test
  void comfySchedules() {
    // simple: σ_train[-(1 + int(x * 100))] for x = 0..9 → timesteps 999, 899, …, 99.
    assertThat(timesteps("simple", 10)).containsExactly(descending(999, 100, 10));
    // normal: timesteps linspace(999, 0, 10), σ by log-σ interpolation, then 0.
    double[] normal = sigmas("normal", 10);
    assertThat(normal[0]).isCloseTo(SD.sigmaMax(), offset(1e-12));
    assertThat(normal[1]).isCloseTo(SD.tToSigma(888), offset(1e-12));
    assertThat(normal[9]).isCloseTo(SD.sigmaMin(), offset(1e-15));
    assertThat(normal[10]).isZero();
    // sgm_uniform: linspace(999, 0, 11)[:-1] → the last level is t = 99.9.
    double[] sgm = sigmas("sgm_uniform", 10);
    assertThat(sgm[9]).isCloseTo(SD.tToSigma(99.9), offset(1e-12));
    assertThat(sgm[10]).isZero();
    // exponential: evenly spaced in log σ.
    double[] e = sigmas("exponential", 10);
    double ratio = Math.pow(SD.sigmaMin() / SD.sigmaMax(), 1.0 / 9);
    for (int i = 0; i < 9; i++) {
      assertThat(e[i + 1] / e[i]).isCloseTo(ratio, offset(1e-12));
    }
  }

  @Test
  void lcmScheduleIsDiffusersLcmScheduler() {
    // diffusers LCMScheduler, original_inference_steps 50, 4 steps: 999, 759, 499, 259.
    assertThat(timesteps("lcm", 4)).containsExactly(999, 759, 499, 259);
    assertThat(timesteps("lcm", 1)).containsExactly(999);
  }

  @Test
  void registryListsEveryName() {
    assertThat(StepSchedulers.names()).containsExactly("align_your_steps", "ddim_quad", "ddim_uniform", "exponential", "karras", "lcm",
        "leading", "linspace", "normal", "sgm_uniform", "simple", "trailing");
    for (String name : StepSchedulers.names()) {
      StepScheduler s = StepSchedulers.create(name.toUpperCase(java.util.Locale.ROOT));
      assertThat(s.name()).isEqualTo(name);
      for (StepPlan.Kind kind : StepPlan.Kind.values()) {
        StepPlan p = s.plan(SD, 10, kind);
        assertThat(p.kind()).isEqualTo(kind);
        assertThat(p.steps()).isBetween(9, 11);
      }
    }
  }
}
