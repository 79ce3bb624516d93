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
 * with the local queue. On a node with {@code quarkus.ldm4j.worker.enabled=true} it is also down
 * until the node's worker consumes (its models are open) and once it stopped.
 */
@Readiness
@Singleton
public class Ldm4jQueueReadinessCheck implements HealthCheck {

  private final Ldm4jQueue queue;
  private final boolean worker;

  /** Injected. */
  @Inject
  public Ldm4jQueueReadinessCheck(Ldm4jQueue queue, Ldm4jConfig config) {
    this.queue = queue;
    this.worker = config.worker().enabled();
  }

  @Override
  public HealthCheckResponse call() {
    if (queue.queue().isEmpty()) {
      return HealthCheckResponse.named("ldm4j-queue").up().withData("kind", "local").build();
    }
    JobQueue q = queue.queue().get();
    var response = HealthCheckResponse.named("ldm4j-queue").withData("kind", "redis");
    boolean up = q.isAvailable();
    if (worker) {
      var w = queue.worker();
      response.withData("worker", w.map(x -> x.isRunning() ? x.id() : "stopped").orElse("not started"));
      up &= w.isPresent() && w.get().isRunning();
    }
    return response.status(up).build();
  }
}
