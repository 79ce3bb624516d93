package io.github.ldm4j.samplers.diffusers;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.sampler.StepPlan;
import java.nio.charset.StandardCharsets;

/**
 * A model folder's {@code scheduler/scheduler_config.json} of arbitrary bytes through {@link
 * DiffusersSchedulers#recipe(String)} (what {@link TrainingSetup#of} does with it): the only allowed
 * outcomes are an {@link IllegalArgumentException} (which {@code TrainingSetup} reports as an {@code
 * IOException} naming the file) or a recipe whose training schedule is sane and that plans a few
 * steps. Any other exception, a hang or running out of memory is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in regression mode over the committed corpus ({@code
 * src/test/resources/io/github/ldm4j/samplers/diffusers/SchedulerConfigFuzzTestInputs/recipeOfArbitraryJson/}).
 * To fuzz, see samplers/README.md.
 */
class SchedulerConfigFuzzTest {

  @FuzzTest(maxDuration = "5m")
  void recipeOfArbitraryJson(byte[] input) {
    SamplerRecipe recipe;
    try {
      recipe = DiffusersSchedulers.recipe(new String(input, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    assertThat(recipe.diffusionSchedule().timesteps()).isGreaterThanOrEqualTo(2);
    StepPlan plan;
    try {
      plan = recipe.plan(4);
    } catch (IllegalArgumentException expected) {
      return;
    }
    assertThat(plan).isNotNull();
  }
}
