package io.github.ldm4j.spi;

import io.github.ldm4j.model.CondStage;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The opened components of one model. Owns them: {@link #close()} closes each exactly once (later
 * calls do nothing), the denoiser first, and reports the first failure with the others suppressed.
 */
public final class ModelComponents implements AutoCloseable {

  private final FirstStage firstStage;
  private final CondStage condStage;
  private final Denoiser denoiser;
  private final DiffusionSchedule schedule;
  private final String name;
  private final Optional<Path> schedulerConfig;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Takes ownership of the components.
   *
   * @param firstStage the autoencoder
   * @param condStage the text conditioning stage
   * @param denoiser the denoising network behind its conditioning routing
   * @param schedule the training noise schedule the model declares
   * @param name the model's name (its folder name, say), for the generation parameters
   * @param schedulerConfig the model's {@code scheduler_config.json}, the source of its default sampler
   */
  public ModelComponents(FirstStage firstStage, CondStage condStage, Denoiser denoiser, DiffusionSchedule schedule,
      String name, Optional<Path> schedulerConfig) {
    this.firstStage = Objects.requireNonNull(firstStage, "firstStage");
    this.condStage = Objects.requireNonNull(condStage, "condStage");
    this.denoiser = Objects.requireNonNull(denoiser, "denoiser");
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.name = Objects.requireNonNull(name, "name");
    this.schedulerConfig = Objects.requireNonNull(schedulerConfig, "schedulerConfig");
  }

  /** Components of an unnamed model without a scheduler config (in-memory models, tests). */
  public ModelComponents(FirstStage firstStage, CondStage condStage, Denoiser denoiser, DiffusionSchedule schedule) {
    this(firstStage, condStage, denoiser, schedule, "in-memory", Optional.empty());
  }

  /** The model's name. */
  public String name() {
    return name;
  }

  /** The model's {@code scheduler_config.json}, if it has one. */
  public Optional<Path> schedulerConfig() {
    return schedulerConfig;
  }

  /** The autoencoder. */
  public FirstStage firstStage() {
    return firstStage;
  }

  /** The text conditioning stage. */
  public CondStage condStage() {
    return condStage;
  }

  /** The denoiser. */
  public Denoiser denoiser() {
    return denoiser;
  }

  /** The training noise schedule. */
  public DiffusionSchedule schedule() {
    return schedule;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException failure = null;
    for (AutoCloseable c : new AutoCloseable[] {denoiser, condStage, firstStage}) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing model components failed: " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
