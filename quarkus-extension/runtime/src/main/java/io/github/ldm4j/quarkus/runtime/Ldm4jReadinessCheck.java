package io.github.ldm4j.quarkus.runtime;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness ({@code /q/health/ready}): up once the models are loaded, with the model names and queue depth. */
@Readiness
@Singleton
public class Ldm4jReadinessCheck implements HealthCheck {

  private final Ldm4jPipelines pipelines;
  private final GenerationService service;

  /** Injected. */
  @Inject
  public Ldm4jReadinessCheck(Ldm4jPipelines pipelines, GenerationService service) {
    this.pipelines = pipelines;
    this.service = service;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("ldm4j")
        .status(pipelines.isOpen())
        .withData("models", String.join(",", pipelines.names()))
        .withData("running", service.running())
        .withData("queued", service.queueDepth())
        .build();
  }
}
