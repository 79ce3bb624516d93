package io.github.ldm4j.samplers.diffusers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.ScheduleOptions.SpacingGrid;
import io.github.ldm4j.schedule.BetaSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiffusersSchedulersTest {

  /** facts.md §3: the scheduler config shipped with SD v1.5. */
  static final String SD15 = """
      {
        "_class_name": "PNDMScheduler",
        "_diffusers_version": "0.6.0",
        "beta_end": 0.012,
        "beta_schedule": "scaled_linear",
        "beta_start": 0.00085,
        "num_train_timesteps": 1000,
        "set_alpha_to_one": false,
        "skip_prk_steps": true,
        "steps_offset": 1,
        "trained_betas": null,
        "clip_sample": false
      }""";

  static String sd(String className, String extra) {
    return """
        {"_class_name": "%s", "beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012,
         "num_train_timesteps": 1000, "steps_offset": 1%s}""".formatted(className, extra.isEmpty() ? "" : ", " + extra);
  }

  @Test
  void stableDiffusion15RunsPlmsOnLeadingTimesteps(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("scheduler_config.json");
    Files.writeString(file, SD15);
    SamplerRecipe r = DiffusersSchedulers.recipe(file);
    assertThat(r.sampler()).isEqualTo("plms");
    assertThat(r.schedule()).isEqualTo("leading");
    assertThat(r.scheduleOptions().stepsOffset()).isEqualTo(1);
    assertThat(r.parameterization()).isEqualTo(Parameterization.EPS);
    assertThat(r.diffusionSchedule().betaSchedule()).isEqualTo(new BetaSchedule.Linear(0.00085, 0.012));
    assertThat(r.diffusionSchedule().alphaBar(0)).isCloseTo(0.99915, offset(1e-12));
    assertThat(r.deviations()).isEmpty();
    StepPlan.Timesteps plan = (StepPlan.Timesteps) r.plan(50);
    assertThat(plan.at(0)).isEqualTo(981);
    assertThat(plan.at(49)).isEqualTo(1);
    // img2img at 0.75: t_enc = 37.
    assertThat(r.plan(50, 0.75).steps()).isEqualTo(37);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "DDIMScheduler | \"set_alpha_to_one\": false, \"clip_sample\": false | ddim | leading | PLAIN",
      "DDPMScheduler | \"clip_sample\": false | ddpm | leading | PLAIN",
      "LMSDiscreteScheduler | | lms | linspace | PLAIN",
      "EulerDiscreteScheduler | | euler | linspace | PLAIN",
      "EulerAncestralDiscreteScheduler | | euler_ancestral | linspace | PLAIN",
      "HeunDiscreteScheduler | | heun | linspace | PLAIN",
      "KDPM2DiscreteScheduler | | dpm_2 | linspace | PLAIN",
      "KDPM2AncestralDiscreteScheduler | | dpm_2_ancestral | linspace | PLAIN",
      "DPMSolverMultistepScheduler | | dpmpp_2m | linspace | SOLVER",
      "DPMSolverMultistepScheduler | \"solver_order\": 1 | euler | linspace | SOLVER",
      "DPMSolverMultistepScheduler | \"algorithm_type\": \"sde-dpmsolver++\" | dpmpp_2m_sde | linspace | SOLVER",
      "DPMSolverMultistepScheduler | \"use_karras_sigmas\": true, \"timestep_spacing\": \"trailing\" | dpmpp_2m | karras | SOLVER",
      "DPMSolverSinglestepScheduler | \"solver_order\": 1 | euler | linspace | SOLVER",
      "UniPCMultistepScheduler | | uni_pc | linspace | SOLVER",
      "UniPCMultistepScheduler | \"timestep_spacing\": \"trailing\" | uni_pc | trailing | SOLVER",
      "LCMScheduler | | lcm | lcm | PLAIN",
  })
  void classesMapToTheirSamplers(String className, String extra, String sampler, String schedule, SpacingGrid grid) {
    SamplerRecipe r = DiffusersSchedulers.recipe(sd(className, extra == null ? "" : extra));
    assertThat(r.sampler()).isEqualTo(sampler);
    assertThat(r.schedule()).isEqualTo(schedule);
    assertThat(r.scheduleOptions().grid()).isEqualTo(grid);
    assertThat(r.deviations()).as("deviations").allMatch(d -> d.startsWith("use_karras"));
    // The recipe is usable as is.
    StepPlan plan = r.plan(20);
    assertThat(plan.kind()).isEqualTo(r.createSampler().planKind());
    assertThat(plan.steps()).isBetween(4, 21);
  }

  @Test
  void solverOptionsCarryOver() {
    SamplerRecipe unipc = DiffusersSchedulers.recipe(sd("UniPCMultistepScheduler", "\"solver_order\": 3"));
    assertThat(unipc.samplerOptions().order()).hasValue(3);
    SamplerRecipe dpm3 = DiffusersSchedulers.recipe(sd("DPMSolverMultistepScheduler", "\"solver_order\": 3"));
    assertThat(dpm3.sampler()).isEqualTo("dpmpp_3m_sde");
    assertThat(dpm3.samplerOptions().eta()).hasValue(0);
    assertThat(dpm3.deviations()).anyMatch(d -> d.startsWith("lower_order_final"));
    SamplerRecipe eps = DiffusersSchedulers.recipe(sd("DPMSolverMultistepScheduler", "\"algorithm_type\": \"dpmsolver\""));
    assertThat(eps.sampler()).isEqualTo("dpm_solver_eps");
    assertThat(eps.samplerOptions().order()).hasValue(2);
    assertThat(eps.deviations()).singleElement().asString().contains("ending at alpha_bar[0]");
    SamplerRecipe lcm = DiffusersSchedulers.recipe(sd("LCMScheduler", "\"original_inference_steps\": 100"));
    assertThat(lcm.scheduleOptions().lcmOriginalSteps()).isEqualTo(100);
    assertThat(((StepPlan.Sigmas) lcm.plan(4)).at(0)).isEqualTo(lcm.diffusionSchedule().sigma(999));
  }

  @Test
  void predictionTypesAndSchedules() {
    SamplerRecipe v = DiffusersSchedulers.recipe(sd("EulerDiscreteScheduler", "\"prediction_type\": \"v_prediction\""));
    assertThat(v.parameterization()).isEqualTo(Parameterization.V);
    SamplerRecipe linear = DiffusersSchedulers.recipe("""
        {"_class_name": "DDPMScheduler", "beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02,
         "num_train_timesteps": 1000, "clip_sample": false}""");
    assertThat(linear.diffusionSchedule().betaSchedule()).isEqualTo(new BetaSchedule.SqrtLinear(0.0001, 0.02));
    SamplerRecipe given = DiffusersSchedulers.recipe("""
        {"_class_name": "EulerDiscreteScheduler", "trained_betas": [0.1, 0.2, 0.3, 0.4]}""");
    assertThat(given.diffusionSchedule().timesteps()).isEqualTo(4);
    assertThat(given.diffusionSchedule().beta(2)).isEqualTo(0.3);
  }

  @Test
  void classDefaultsApplyToAbsentKeys() {
    // DDIMScheduler defaults: set_alpha_to_one=True, clip_sample=True, leading spacing.
    SamplerRecipe ddim = DiffusersSchedulers.recipe("{\"_class_name\": \"DDIMScheduler\"}");
    assertThat(ddim.schedule()).isEqualTo("leading");
    assertThat(ddim.deviations()).hasSize(2)
        .anyMatch(d -> d.startsWith("set_alpha_to_one=true"))
        .anyMatch(d -> d.startsWith("clip_sample=true"));
    assertThat(ddim.diffusionSchedule().betaSchedule()).isEqualTo(new BetaSchedule.SqrtLinear(0.0001, 0.02));
    SchedulerConfig unipc = SchedulerConfig.parse("{\"_class_name\": \"UniPCMultistepScheduler\"}");
    assertThat(unipc.solverType()).isEqualTo("bh2");
    assertThat(unipc.timestepSpacing()).isEqualTo("linspace");
    SchedulerConfig lcm = SchedulerConfig.parse("{\"_class_name\": \"LCMScheduler\"}");
    assertThat(lcm.betaSchedule()).isEqualTo("scaled_linear");
    assertThat(lcm.originalInferenceSteps()).isEqualTo(50);
  }

  @Test
  void singlestepSolverOfOrderTwoRunsAsDeterministicDpmpp2s() {
    // DPMSolverSinglestepScheduler defaults to solver_order 2 (dpmsolver++): the closest sampler is
    // DPM-Solver++(2S) with eta = 0, on the solver timestep grid, with the difference listed.
    SamplerRecipe r = DiffusersSchedulers.recipe(sd("DPMSolverSinglestepScheduler", ""));
    assertThat(r.sampler()).isEqualTo("dpmpp_2s_ancestral");
    assertThat(r.samplerOptions().eta()).hasValue(0);
    assertThat(r.schedule()).isEqualTo("linspace");
    assertThat(r.scheduleOptions().grid()).isEqualTo(SpacingGrid.SOLVER);
    assertThat(r.deviations()).singleElement().asString().startsWith("DPMSolverSinglestepScheduler order 2");
    assertThat(r.plan(20).kind()).isEqualTo(r.createSampler().planKind());
  }

  @Test
  void knownDifferencesAreListed() {
    SamplerRecipe r = DiffusersSchedulers.recipe(sd("UniPCMultistepScheduler",
        "\"solver_type\": \"bh1\", \"disable_corrector\": [0], \"solver_order\": 4, \"thresholding\": true"));
    assertThat(r.deviations()).hasSize(4);
    assertThat(r.samplerOptions().order()).hasValue(3);
    SamplerRecipe pndm = DiffusersSchedulers.recipe(sd("PNDMScheduler", "\"skip_prk_steps\": false"));
    assertThat(pndm.deviations()).singleElement().asString().startsWith("skip_prk_steps=false");
  }

  @Test
  void badConfigs() {
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"beta_start\": 0.1}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("scheduler_config has no _class_name");
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"_class_name\": \"FlowMatchEulerDiscreteScheduler\"}"))
        .hasMessageContaining("unsupported scheduler _class_name 'FlowMatchEulerDiscreteScheduler'; supported: "
            + "DDIMScheduler, PNDMScheduler");
    assertThatThrownBy(() -> SchedulerConfig.parse("{\"_class_name\": \"DDIMScheduler\", \"steps_offset\": \"1\"}"))
        .hasMessage("scheduler_config 'steps_offset' must be an integer, got \"1\"");
    assertThatThrownBy(() -> SchedulerConfig.parse("{not json"))
        .hasMessageStartingWith("scheduler_config is not valid JSON");
    assertThatThrownBy(() -> DiffusersSchedulers.recipe(sd("DDIMScheduler", "\"rescale_betas_zero_snr\": true")))
        .hasMessageContaining("rescale_betas_zero_snr=true is not supported");
    assertThatThrownBy(() -> DiffusersSchedulers.recipe(sd("DDIMScheduler", "\"prediction_type\": \"flow\"")))
        .hasMessageContaining("unknown parameterization 'flow'");
    assertThatThrownBy(() -> DiffusersSchedulers.recipe(sd("EulerDiscreteScheduler", "\"timestep_spacing\": \"quad\"")))
        .hasMessageContaining("unsupported timestep_spacing 'quad'");
    assertThatThrownBy(() -> DiffusersSchedulers.recipe(sd("DPMSolverMultistepScheduler",
        "\"algorithm_type\": \"deis\""))).hasMessageContaining("unsupported algorithm_type 'deis'");
  }
}
