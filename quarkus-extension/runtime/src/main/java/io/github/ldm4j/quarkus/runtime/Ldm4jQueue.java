package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.JobQueues;
import io.github.ldm4j.queue.QueueAddress;
import io.github.ldm4j.queue.QueueException;
import io.github.ldm4j.queue.QueueSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;

/**
 * The job queue of {@code quarkus.ldm4j.queue.kind=redis}: the {@link JobQueue} this node submits
 * generations to (empty with {@code kind=local}). Owns it and closes it at shutdown (idempotent).
 * Exports the gauge {@code ldm4j.queue.remote.depth} (tag {@code model}: the default model's
 * stream; -1 while Redis is away), the metric to scale workers on.
 */
@Singleton
public class Ldm4jQueue {

  private final Optional<JobQueue> queue;
  private final String defaultModel;
  private io.github.ldm4j.queue.QueueWorker worker; // guarded by this

  /** Opens the queue of {@code config} (no connection is made until the first use). */
  @Inject
  public Ldm4jQueue(Ldm4jConfig config, MeterRegistry meters) {
    this.defaultModel = config.model().name();
    this.queue = switch (config.queue().kind()) {
      case LOCAL -> Optional.empty();
      case REDIS -> Optional.of(JobQueues.connect(address(config), settings(config)));
    };
    queue.ifPresent(q -> Gauge.builder("ldm4j.queue.remote.depth", q, this::depth).tag("model", defaultModel)
        .description("Jobs of the model waiting or running on the workers").register(meters));
  }

  private Ldm4jQueue() {
    this.defaultModel = Ldm4jConfig.DefaultModel.DEFAULT_NAME;
    this.queue = Optional.empty();
  }

  /** The local queue ({@code kind=local}): no job queue, for beans built outside CDI (tests). */
  public static Ldm4jQueue local() {
    return new Ldm4jQueue();
  }

  private double depth(JobQueue q) {
    try {
      return q.depth(defaultModel);
    } catch (QueueException.Unavailable e) {
      return -1;
    }
  }

  /**
   * The Redis address of {@code quarkus.ldm4j.queue.url}.
   *
   * @throws IllegalArgumentException naming the property when it is missing or not a redis:// URI
   */
  public static QueueAddress address(Ldm4jConfig config) {
    String url = config.queue().url().orElseThrow(() -> new IllegalArgumentException(
        "quarkus.ldm4j.queue.kind=redis needs quarkus.ldm4j.queue.url=redis://HOST:PORT"));
    try {
      return QueueAddress.parse(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid quarkus.ldm4j.queue.url: " + e.getMessage(), e);
    }
  }

  /**
   * The queue settings of {@code quarkus.ldm4j.queue.*}.
   *
   * @throws IllegalArgumentException naming the properties when invalid
   */
  public static QueueSettings settings(Ldm4jConfig config) {
    Ldm4jConfig.Queue q = config.queue();
    try {
      return new QueueSettings(q.maxLength(), q.reclaimIdle(), q.maxDeliveries(), q.resultTtl(), q.heartbeat());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid quarkus.ldm4j.queue.*: " + e.getMessage(), e);
    }
  }

  /**
   * Checks the queue configuration at startup.
   *
   * @throws IllegalArgumentException naming the property when invalid
   */
  static void check(Ldm4jConfig config) {
    if (config.queue().kind() == Ldm4jConfig.QueueKind.REDIS) {
      address(config);
      settings(config);
    } else if (!config.queue().localModels()) {
      throw new IllegalArgumentException("quarkus.ldm4j.queue.local-models=false (an API node without models) needs"
          + " quarkus.ldm4j.queue.kind=redis: something must run the generations");
    }
    if (config.worker().enabled() && config.queue().kind() != Ldm4jConfig.QueueKind.REDIS) {
      throw new IllegalArgumentException("quarkus.ldm4j.worker.enabled=true needs quarkus.ldm4j.queue.kind=redis");
    }
    if (config.worker().enabled() && !config.queue().localModels()) {
      throw new IllegalArgumentException("quarkus.ldm4j.worker.enabled=true needs models to run: not together with"
          + " quarkus.ldm4j.queue.local-models=false");
    }
  }

  /**
   * With {@code quarkus.ldm4j.worker.enabled=true}: starts consuming the jobs of {@code pipelines}'
   * models (by name) on {@code device}, each job's LoRAs and VAE resolved in this node's library
   * ({@link PipelineWorkerModels}); idempotent. The worker stops at the {@link
   * io.quarkus.runtime.ShutdownEvent}, before the models close.
   */
  synchronized void startWorker(Ldm4jPipelines pipelines, String device) {
    if (worker != null || queue.isEmpty()) {
      return;
    }
    worker = queue.get().startWorker(new PipelineWorkerModels(pipelines), device);
  }

  /** The worker of this node, if {@code quarkus.ldm4j.worker.enabled=true} started one. */
  public synchronized Optional<io.github.ldm4j.queue.QueueWorker> worker() {
    return Optional.ofNullable(worker);
  }

  void onShutdown(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent event) {
    io.github.ldm4j.queue.QueueWorker w;
    synchronized (this) {
      w = worker;
    }
    if (w != null) {
      w.close();
    }
  }

  /** The queue, empty with {@code kind=local}. */
  public Optional<JobQueue> queue() {
    return queue;
  }

  @PreDestroy
  void close() {
    queue.ifPresent(JobQueue::close);
  }
}
