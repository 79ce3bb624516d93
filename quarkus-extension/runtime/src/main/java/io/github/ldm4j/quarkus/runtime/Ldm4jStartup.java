package io.github.ldm4j.quarkus.runtime;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/**
 * At startup: checks the limits, defaults and task bounds of the configuration (a bad value fails
 * the startup naming its property), then opens the models when {@code quarkus.ldm4j.open-at-startup}
 * is true (the default), so that an invalid model fails the startup too; otherwise {@link
 * Ldm4jPipelines} is created on first use.
 */
@Singleton
public class Ldm4jStartup {

  /** Observes the startup. */
  void onStart(@Observes StartupEvent event, Ldm4jConfig config, Instance<Ldm4jPipelines> pipelines,
      Instance<TaskRegistry> tasks) {
    // The configuration is checked at startup even when the models open later: a bad limit,
    // default or task bound fails the startup naming its property.
    Ldm4jPipelines.limits(config);
    Ldm4jPipelines.defaults(config);
    tasks.get();
    if (config.openAtStartup()) {
      pipelines.get().names();
    }
  }
}
