package io.github.ldm4j.samplers;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.samplers.SamplerNames.Selection;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** AUTOMATIC1111 display names to ldm4j names and back. */
class SamplerNamesTest {

  private static Selection selection(String sampler, String schedule) {
    return new Selection(Optional.ofNullable(sampler), Optional.ofNullable(schedule));
  }

  @ParameterizedTest
  @CsvSource({
    "euler, Euler",
    "euler_ancestral, Euler a",
    "heun, Heun",
    "lms, LMS",
    "dpm_2, DPM2",
    "dpm_2_ancestral, DPM2 a",
    "dpmpp_2s_ancestral, DPM++ 2S a",
    "dpmpp_sde, DPM++ SDE",
    "dpmpp_2m, DPM++ 2M",
    "dpmpp_2m_sde, DPM++ 2M SDE",
    "dpmpp_3m_sde, DPM++ 3M SDE",
    "ddim, DDIM",
    "plms, PLMS",
    "uni_pc, UniPC",
    "lcm, LCM",
    "ddpm, DDPM",
    "dpm_solver, DPM Solver"
  })
  void displayNamesAreA1111sAndMapBack(String ldm4j, String display) {
    assertThat(Samplers.names()).contains(ldm4j);
    assertThat(SamplerNames.displayName(ldm4j)).isEqualTo(display);
    assertThat(SamplerNames.fromDisplayName(display)).isEqualTo(selection(ldm4j, null));
    assertThat(SamplerNames.fromDisplayName(display + " Karras")).isEqualTo(selection(ldm4j, "karras"));
    assertThat(SamplerNames.fromDisplayName(display + " Exponential")).isEqualTo(selection(ldm4j, "exponential"));
  }

  @Test
  void everyRegisteredSamplerHasADisplayNameOrShowsItsOwn() {
    for (String name : Samplers.names()) {
      String display = SamplerNames.displayName(name);
      assertThat(SamplerNames.fromDisplayName(display).sampler()).as(name).contains(name);
    }
    assertThat(SamplerNames.displayName("dpm_solver_eps")).isEqualTo("dpm_solver_eps");
  }

  @Test
  void combinedNamesSplitIntoSamplerAndSchedule() {
    assertThat(SamplerNames.fromDisplayName("DPM++ 2M Karras")).isEqualTo(selection("dpmpp_2m", "karras"));
    assertThat(SamplerNames.fromDisplayName("  DPM++ 2M SDE Exponential ")).isEqualTo(selection("dpmpp_2m_sde", "exponential"));
    assertThat(SamplerNames.fromDisplayName("euler a")).isEqualTo(selection("euler_ancestral", null));
    // ldm4j names and unknown names pass on (less a suffix) for the registry to judge.
    assertThat(SamplerNames.fromDisplayName("dpmpp_2m")).isEqualTo(selection("dpmpp_2m", null));
    assertThat(SamplerNames.fromDisplayName("dpmpp_2m Karras")).isEqualTo(selection("dpmpp_2m", "karras"));
    assertThat(SamplerNames.fromDisplayName("Nonesuch")).isEqualTo(selection("Nonesuch", null));
    // The suffix is matched as A1111 writes it.
    assertThat(SamplerNames.fromDisplayName("DPM++ 2M karras")).isEqualTo(selection("DPM++ 2M karras", null));
    assertThat(SamplerNames.fromDisplayName(null)).isEqualTo(selection(null, null));
    assertThat(SamplerNames.fromDisplayName("  ")).isEqualTo(selection(null, null));
  }

  @Test
  void theSchedulerFieldOverridesTheSuffixUnlessAutomatic() {
    assertThat(SamplerNames.fromDisplayNames("DPM++ 2M Karras", null)).isEqualTo(selection("dpmpp_2m", "karras"));
    assertThat(SamplerNames.fromDisplayNames("DPM++ 2M Karras", "Automatic")).isEqualTo(selection("dpmpp_2m", "karras"));
    assertThat(SamplerNames.fromDisplayNames("DPM++ 2M", "automatic")).isEqualTo(selection("dpmpp_2m", null));
    assertThat(SamplerNames.fromDisplayNames("DPM++ 2M Karras", "Exponential")).isEqualTo(selection("dpmpp_2m", "exponential"));
    assertThat(SamplerNames.fromDisplayNames("Euler", "SGM Uniform")).isEqualTo(selection("euler", "sgm_uniform"));
    assertThat(SamplerNames.fromDisplayNames("Euler", "sgm uniform")).isEqualTo(selection("euler", "sgm_uniform"));
    assertThat(SamplerNames.fromDisplayNames("Euler", "Normal")).isEqualTo(selection("euler", "normal"));
    assertThat(SamplerNames.fromDisplayNames("Euler", "Simple")).isEqualTo(selection("euler", "simple"));
    // Other values are ldm4j schedule names, lower-cased.
    assertThat(SamplerNames.fromDisplayNames("Euler", "DDIM_Uniform")).isEqualTo(selection("euler", "ddim_uniform"));
    assertThat(SamplerNames.fromDisplayNames(null, "Karras")).isEqualTo(selection(null, "karras"));
  }

  @Test
  void everyScheduleItMapsToIsRegistered() {
    for (String label : new String[] {"Karras", "Exponential", "SGM Uniform", "Normal", "Simple"}) {
      assertThat(StepSchedulers.names()).contains(SamplerNames.fromDisplayNames(null, label).schedule().orElseThrow());
    }
  }
}
