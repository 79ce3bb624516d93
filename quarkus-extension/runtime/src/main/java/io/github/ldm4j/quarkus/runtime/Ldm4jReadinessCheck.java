package io.github.ldm4j.quarkus.runtime;

import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableInstance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness ({@code /q/health/ready}): up once the models are loaded, with the model names and queue
 * depth; down ("models not opened yet") while {@code quarkus.ldm4j.open-at-startup=false} deferred
 * the opening, which this check never triggers; down ("shutting down") from the moment a shutdown
 * began ({@link GenerationService#stopAdmitting()}), while the accepted generations drain.
 */
@Readiness
@Singleton
public class Ldm4jReadinessCheck implements HealthCheck {

  private final InjectableInstance<Ldm4jPipelines> pipelines;
  private final GenerationService service;

  /** Injected. */
  @Inject
  public Ldm4jReadinessCheck(InjectableInstance<Ldm4jPipelines> pipelines, GenerationService service) {
    this.pipelines = pipelines;
    this.service = service;
  }

  @Override
  public HealthCheckResponse call() {
    if (!service.isAdmitting()) {
      return HealthCheckResponse.named("ldm4j").down().withData("state", "shutting down")
          .withData("running", service.running())
          .withData("queued", service.queueDepth())
          .build();
    }
    Optional<Ldm4jPipelines> opened = opened();
    if (opened.isEmpty()) {
      return HealthCheckResponse.named("ldm4j").down().withData("models", "not opened yet").build();
    }
    Ldm4jPipelines open = opened.get();
    return HealthCheckResponse.named("ldm4j")
        .status(open.isOpen())
        .withData("models", String.join(",", open.names()))
        .withData("running", service.running())
        .withData("queued", service.queueDepth())
        .build();
  }

  /** The pipelines if the singleton exists already (looked up without creating it). */
  private Optional<Ldm4jPipelines> opened() {
    var context = Arc.container().getActiveContext(Singleton.class);
    return Optional.ofNullable(context == null ? null : context.get(pipelines.getHandle().getBean()));
  }
}
