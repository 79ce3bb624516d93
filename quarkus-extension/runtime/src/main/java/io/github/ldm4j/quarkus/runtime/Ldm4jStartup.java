package io.github.ldm4j.quarkus.runtime;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;

/**
 * Opens the models at startup when {@code quarkus.ldm4j.open-at-startup} is true (the default), so
 * that an invalid model fails the startup; otherwise {@link Ldm4jPipelines} is created on first use.
 */
@Singleton
public class Ldm4jStartup {

  /** Observes the startup. */
  void onStart(@Observes StartupEvent event, Ldm4jConfig config, Instance<Ldm4jPipelines> pipelines) {
    if (config.openAtStartup()) {
      pipelines.get().names();
    }
  }
}
