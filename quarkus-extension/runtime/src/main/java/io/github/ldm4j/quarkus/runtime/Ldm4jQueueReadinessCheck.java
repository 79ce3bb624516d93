package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.queue.JobQueue;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the job queue ({@code quarkus.ldm4j.queue.kind=redis}): down while Redis does not
 * answer (this node then answers 503 {@code queue_unavailable}), up again when it does; always up
 * with the local queue.
 */
@Readiness
@Singleton
public class Ldm4jQueueReadinessCheck implements HealthCheck {

  private final Ldm4jQueue queue;

  /** Injected. */
  @Inject
  public Ldm4jQueueReadinessCheck(Ldm4jQueue queue) {
    this.queue = queue;
  }

  @Override
  public HealthCheckResponse call() {
    if (queue.queue().isEmpty()) {
      return HealthCheckResponse.named("ldm4j-queue").up().withData("kind", "local").build();
    }
    JobQueue q = queue.queue().get();
    return HealthCheckResponse.named("ldm4j-queue").status(q.isAvailable()).withData("kind", "redis").build();
  }
}
