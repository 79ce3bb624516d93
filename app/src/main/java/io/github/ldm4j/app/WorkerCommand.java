package io.github.ldm4j.app;

import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.Ldm4jQueue;
import io.github.ldm4j.quarkus.runtime.PipelineWorkerModels;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.JobQueues;
import io.github.ldm4j.queue.QueueAddress;
import io.github.ldm4j.queue.QueueWorker;
import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ldm4j worker}: a generation worker of a multi-node set-up. It opens one model (the demo
 * model when no {@code --model} is given) under {@code --name} with the pipelines of a {@code serve}
 * node ({@link PipelineWorkerModels}: jobs' LoRAs, VAE and embeddings are resolved by name in the
 * model library, {@code --models-dir} …, and applied as a local node applies them), and consumes that model's jobs from
 * the Redis Streams queue at {@code --redis} — the jobs {@code ldm4j serve --queue URL} nodes put
 * there — running each with {@link Generator#generate}, as a local generation. It runs until
 * SIGTERM/SIGINT, then finishes its current job (or leaves it to be reclaimed) and unregisters.
 * With {@code --health-port P} it answers Kubernetes probes ({@link WorkerHealth}).
 * The queue's behaviour ({@code quarkus.ldm4j.queue.reclaim-idle}, {@code max-deliveries}, {@code
 * result-ttl}, {@code heartbeat}) and the limits ({@code quarkus.ldm4j.limits.*}) are read from the
 * configuration, as on the API nodes, so every node agrees.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Runs a generation worker: takes jobs of its model from the Redis Streams queue that "
        + "'ldm4j serve --queue redis://HOST:PORT' nodes fill, and stores their images there.")
final class WorkerCommand implements Callable<Integer> {

  @Option(names = "--redis", required = true, paramLabel = "redis://HOST:PORT", description = "The queue's Redis, or "
      + "redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTERNAME to follow the master that Redis Sentinels name.")
  String redis;

  @Option(names = "--model", description = "A checkpoint file, a model folder or the NAME of a checkpoint in the "
      + "library (--models-dir). Default: the embedded demo model.")
  Path model;

  @Option(names = "--name", defaultValue = Ldm4jConfig.DefaultModel.DEFAULT_NAME, description = "The model name the "
      + "API nodes queue its jobs under (their quarkus.ldm4j.model.name or a request's 'model'). Default: ${DEFAULT-VALUE}.")
  String name;

  @Mixin BackendChoice backendChoice;

  @Mixin CheckpointOptions checkpointOptions;

  @Option(names = "--health-port", paramLabel = "PORT", description = "Serve /q/health/ready (503 until the model is "
      + "open and while Redis is away) and /q/health/live on this port of every interface, for Kubernetes probes. "
      + "Default: no listener (several workers on one machine, one per GPU, would otherwise collide on a fixed port).")
  Integer healthPort;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Inject Ldm4jConfig config;

  /**
   * The configuration the worker's options become before Quarkus starts (applied by {@link
   * Main#main}), as {@code serve}'s: the model ({@code --model}, else the demo model) under {@code
   * --name}, the backend, device and placements, the precision ({@code --precision}, as {@code
   * quarkus.ldm4j.precision}), and the model library ({@code --models-dir} …), whose
   * LoRAs, VAEs and embeddings the worker resolves jobs' names in.
   *
   * @throws IllegalArgumentException (a usage error) for a bad option
   */
  Map<String, String> configuration(Supplier<Path> demoModel) {
    address();
    if (name.isBlank()) {
      throw new IllegalArgumentException("--name must not be blank");
    }
    checkHealthPort();
    Map<String, String> c = new LinkedHashMap<>();
    c.put("quarkus.ldm4j.model.name", name);
    String backend = backendChoice.backend();
    backendChoice.options(); // validates --place
    Path path = model == null ? demoModel.get()
        : ServeCommand.checkpointFolder(checkpointOptions, checkpointOptions.resolveModel(model), backend,
            backendChoice.device, backendChoice.placement);
    c.put(ServeCommand.MODEL_PATH, path.toAbsolutePath().toString());
    c.put("quarkus.ldm4j.backend", backend);
    c.put("quarkus.ldm4j.device", backendChoice.device);
    backendChoice.placement.forEach((component, where) -> c.put("quarkus.ldm4j.model.placement.\"" + component + "\"", where));
    checkpointOptions.libraryConfiguration().forEach(c::put);
    checkpointOptions.precisionConfiguration().forEach(c::put);
    return c;
  }

  private QueueAddress address() {
    try {
      return QueueAddress.parse(redis);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--redis: " + e.getMessage(), e);
    }
  }

  private void checkHealthPort() {
    if (healthPort != null && (healthPort < 0 || healthPort > 65535)) {
      throw new IllegalArgumentException("--health-port must be 0..65535, got " + healthPort);
    }
  }

  @Override
  public Integer call() throws Exception {
    QueueAddress address = address();
    if (name.isBlank()) {
      throw new IllegalArgumentException("--name must not be blank");
    }
    checkHealthPort();
    // Liveness answers while the model opens (a big checkpoint takes a while); readiness waits for it.
    try (WorkerHealth health = healthPort == null ? null : WorkerHealth.start(healthPort)) {
      if (health != null) {
        System.out.println("ldm4j: worker health on port " + health.port() + " (/q/health/ready, /q/health/live)");
        System.out.flush();
      }
      try (Ldm4jPipelines pipelines = Ldm4jPipelines.open(config);
          JobQueue queue = JobQueues.connect(address, Ldm4jQueue.settings(config))) {
        QueueWorker worker = queue.startWorker(new PipelineWorkerModels(pipelines), backendChoice.device);
        if (health != null) {
          health.serving(name, queue, worker);
        }
        Path modelDir = pipelines.folder(name);
        System.out.println("ldm4j: worker " + worker.id() + " serving " + name + " (" + modelDir + ") from " + address);
        System.out.flush();
        Quarkus.waitForExit();
        worker.close();
        System.out.println("ldm4j: worker " + worker.id() + " stopped after " + worker.completed() + " job(s)");
      }
    }
    return 0;
  }
}
