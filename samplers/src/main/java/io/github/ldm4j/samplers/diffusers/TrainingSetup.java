package io.github.ldm4j.samplers.diffusers;

import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a model was trained with, read once from its folder when the model is opened: the training
 * noise schedule and the parameterization from {@code scheduler/scheduler_config.json} ({@link
 * DiffusersSchedulers#recipe}), SD v1's schedule and eps when the folder has no config, and the
 * config's sampler recipe (the model's default sampler), carried as a value from then on.
 *
 * @param schedule the training noise schedule
 * @param parameterization what the UNet predicts
 * @param recipe the sampler the model's scheduler config names; empty without a config
 */
public record TrainingSetup(DiffusionSchedule schedule, Parameterization parameterization, Optional<SamplerRecipe> recipe) {

  /** Validates. */
  public TrainingSetup {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(parameterization, "parameterization");
    Objects.requireNonNull(recipe, "recipe");
  }

  /** SD v1: its scaled-linear schedule, eps prediction, no scheduler config. */
  public static TrainingSetup stableDiffusionV1() {
    return new TrainingSetup(DiffusionSchedule.stableDiffusionV1(), Parameterization.EPS, Optional.empty());
  }

  /**
   * The setup {@code folder} declares.
   *
   * @throws IOException naming the scheduler config when it is unreadable or cannot be reproduced
   */
  public static TrainingSetup of(ModelFolder folder) throws IOException {
    if (folder.schedulerConfig().isEmpty()) {
      return stableDiffusionV1();
    }
    Path config = folder.schedulerConfig().get();
    try {
      SamplerRecipe recipe = DiffusersSchedulers.recipe(config);
      return new TrainingSetup(recipe.diffusionSchedule(), recipe.parameterization(), Optional.of(recipe));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new IOException(config + ": " + e.getMessage(), e);
    }
  }
}
