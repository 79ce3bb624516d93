package io.github.ldm4j.quarkus.runtime;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * At startup: checks the limits, defaults, cache bounds and task bounds of the configuration (a bad value fails
 * the startup naming its property), then opens the models when {@code quarkus.ldm4j.open-at-startup}
 * is true (the default), so that an invalid model fails the startup too; otherwise {@link
 * Ldm4jPipelines} is created on first use. {@code quarkus.ldm4j.limits.max-request-body-size} must
 * not exceed {@code quarkus.http.limits.max-body-size} (whose default the extension raises to
 * {@value #HTTP_MAX_BODY_SIZE}): otherwise Quarkus would refuse the bodies in between with an
 * empty 413 before ldm4j sees them. In production launch mode it finally installs the {@link
 * OrderlyStop} signal handlers unless {@code quarkus.ldm4j.stop-on-signal} is false. With {@code
 * quarkus.ldm4j.worker.enabled=true} it opens the models and starts this node's queue worker.
 */
@Singleton
public class Ldm4jStartup {

  /** The HTTP body limit property of Quarkus. */
  public static final String HTTP_MAX_BODY_SIZE_PROPERTY = "quarkus.http.limits.max-body-size";

  /** The extension's default of {@value #HTTP_MAX_BODY_SIZE_PROPERTY} (above ldm4j's 16 MiB default). */
  public static final String HTTP_MAX_BODY_SIZE = "64M";

  /** Observes the startup. */
  void onStart(@Observes StartupEvent event, Ldm4jConfig config, Instance<Ldm4jPipelines> pipelines,
      Instance<TaskRegistry> tasks, Instance<Ldm4jQueue> queue) {
    // The configuration is checked at startup even when the models open later: a bad limit,
    // default or task bound fails the startup naming its property.
    Ldm4jPipelines.limits(config);
    Ldm4jPipelines.defaults(config);
    Ldm4jPipelines.checkCache(config);
    Ldm4jQueue.check(config);
    checkBodyLimits(config.limits().maxRequestBodySize(),
        ConfigProvider.getConfig().getOptionalValue(HTTP_MAX_BODY_SIZE_PROPERTY, String.class));
    tasks.get();
    if (config.openAtStartup()) {
      pipelines.get().names();
    }
    if (config.queue().kind() == Ldm4jConfig.QueueKind.REDIS) {
      queue.get(); // its depth gauge is on /q/metrics from the start, before the first request
    }
    if (config.worker().enabled()) {
      queue.get().startWorker(pipelines.get(), config.device());
    }
    if (config.stopOnSignal() && LaunchMode.current() == LaunchMode.NORMAL) {
      OrderlyStop.install();
    }
  }

  /**
   * Throws naming both properties when ldm4j's body limit {@code ldm4j} exceeds Quarkus' {@code
   * http} (a memory size such as {@code 64M}; absent: no limit).
   */
  static void checkBodyLimits(long ldm4j, java.util.Optional<String> http) {
    if (http.isEmpty()) {
      return;
    }
    long max = new MemorySizeConverter().convert(http.get().trim()).asLongValue();
    if (ldm4j > max) {
      throw new IllegalArgumentException("quarkus.ldm4j.limits.max-request-body-size (" + ldm4j
          + " bytes) exceeds " + HTTP_MAX_BODY_SIZE_PROPERTY + " (" + http.get().trim() + " = " + max
          + " bytes): Quarkus would refuse larger bodies first with an empty 413; raise "
          + HTTP_MAX_BODY_SIZE_PROPERTY + " or lower quarkus.ldm4j.limits.max-request-body-size");
    }
  }
}
