package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.BetaSchedule;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code align_your_steps} against NVIDIA's published SD 1.5 schedule and ComfyUI's {@code
 * AlignYourStepsScheduler} (fixture {@code fixtures/schedules/align_your_steps-sd1.json}, written by
 * running ComfyUI's node: {@code src/test/python/gen_ays.py}).
 */
class AlignYourStepsTest {

  private static final DiffusionSchedule SD = DiffusionSchedule.stableDiffusionV1();

  private static JsonNode fixture() throws IOException {
    try (InputStream in = AlignYourStepsTest.class.getResourceAsStream("/fixtures/schedules/align_your_steps-sd1.json")) {
      assertThat(in).isNotNull();
      return new ObjectMapper().readTree(in);
    }
  }

  private static double[] sigmas(int steps, StepPlan.Kind kind) {
    return ((StepPlan.Sigmas) StepSchedulers.create("align_your_steps").plan(SD, steps, kind)).values();
  }

  private static double[] doubles(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asDouble();
    }
    return out;
  }

  @Test
  void tenStepsAreThePublishedSchedule() throws IOException {
    double[] s = sigmas(10, StepPlan.Kind.SIGMAS);
    assertThat(s).hasSize(11);
    assertThat(s[10]).as("the 11th level, σ(0) = 0.029, becomes the final 0 (ComfyUI)").isZero();
    // SD's σ at the published timesteps, by the schedule's definition
    int[] published = {999, 850, 736, 645, 545, 455, 343, 233, 124, 24};
    for (int i = 0; i < 10; i++) {
      assertThat(s[i]).isEqualTo(SD.sigma(published[i]));
    }
    // NVIDIA's AYS page also lists SD 1.5 σ to 3 decimals (what A1111 starts from): the optimised
    // continuous levels, of which the timesteps are the rounding, so σ at the timesteps is within
    // 0.35 % of them (largest: 0.3977 vs 0.399)
    double[] publishedSigmas = {14.615, 6.475, 3.861, 2.697, 1.886, 1.396, 0.963, 0.652, 0.399, 0.152};
    for (int i = 0; i < 10; i++) {
      assertThat(s[i]).as("level %d", i).isCloseTo(publishedSigmas[i], within(0.0035 * publishedSigmas[i]));
    }
    // ComfyUI's NOISE_LEVELS["SD1"] (10 decimals) are SD's σ at the published timesteps
    double[] comfy = doubles(fixture().get("noise_levels"));
    for (int i = 0; i < 10; i++) {
      assertThat(s[i]).isCloseTo(comfy[i], within(1e-10));
    }
    // as timesteps: exactly the published ones
    StepPlan.Timesteps t = (StepPlan.Timesteps) StepSchedulers.create("align_your_steps").plan(SD, 10, StepPlan.Kind.TIMESTEPS);
    assertThat(t.values()).containsExactly(999, 850, 736, 645, 545, 455, 343, 233, 124, 24);
  }

  @Test
  void otherStepCountsAreComfyUisLogLinearInterpolation() throws IOException {
    JsonNode f = fixture();
    int cases = 0;
    for (Map.Entry<String, JsonNode> e : f.get("interp").properties()) {
      int n = Integer.parseInt(e.getKey());
      double[] interp = doubles(e.getValue());
      double[] comfySigmas = doubles(f.get("sigmas").get(e.getKey()));
      double[] s = sigmas(n, StepPlan.Kind.SIGMAS);
      assertThat(s).hasSize(n + 1).hasSameSizeAs(comfySigmas);
      for (int i = 0; i < n; i++) {
        // float64 interpolation: ComfyUI's constants are SD's σ rounded to 10 decimals
        assertThat(s[i]).as("%d steps, level %d", n, i).isCloseTo(interp[i], within(1e-10));
        // what ComfyUI samples with: the same in float32
        assertThat((float) s[i]).as("%d steps, float32 level %d", n, i).isEqualTo((float) comfySigmas[i]);
      }
      assertThat(s[n]).isZero();
      assertThat(comfySigmas[n]).isZero();
      cases++;
    }
    assertThat(cases).isEqualTo(42);
  }

  @Test
  void aModelWithAnotherNumberOfTimestepsIsRefused() {
    DiffusionSchedule other = DiffusionSchedule.of(BetaSchedule.stableDiffusionV1(), 500);
    assertThatThrownBy(() -> StepSchedulers.create("align_your_steps").plan(other, 10, StepPlan.Kind.SIGMAS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000 training timesteps").hasMessageContaining("500");
  }

  @Test
  void a1111sLabelNamesIt() {
    assertThat(SamplerNames.fromDisplayNames("DPM++ 2M", "Align Your Steps").schedule()).contains("align_your_steps");
  }
}
