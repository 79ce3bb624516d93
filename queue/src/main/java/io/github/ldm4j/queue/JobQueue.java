package io.github.ldm4j.queue;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.sampler.CancellationToken;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A durable job queue between API nodes and generation workers: the seam a broker binding
 * implements ({@link JobQueues#connect} opens the Redis Streams one; a Kafka or AMQP binding would be
 * another implementation). An API node {@linkplain #generate submits a job and waits} for its
 * outcome; a worker process {@linkplain #startWorker consumes} jobs and runs them on its {@link
 * Generator}s — the same {@link Generator#generate} path as a local generation.
 *
 * <p>Guarantees of a binding: a job is acknowledged only after its outcome is stored; a job left by
 * a dead worker is reclaimed after {@link QueueSettings#reclaimIdle()} and rerun; outcomes are stored
 * once per job id (a rerun cannot answer twice); a job delivered more than {@link
 * QueueSettings#maxDeliveries()} times goes to a dead-letter stream and fails with {@link
 * QueueException.Failed.Kind#DEAD_LETTER}.
 *
 * <p><b>Ownership:</b> a queue owns its broker connections and the workers it started; {@link
 * #close()} stops them and closes the connections (idempotent).
 */
public interface JobQueue extends AutoCloseable {

  /**
   * Submits a generation of {@code model} and waits for it. Progress events are relayed to
   * {@code listener} from whichever worker runs it, with the worker's preview image when {@code
   * listener} {@linkplain ProgressListener#wantsPreview() wants previews} (as a PNG on the wire). When {@code cancellation} fires, the
   * job's cancel flag is set (a queued job is skipped, a running one stops at its next step) and this
   * method returns at once with a {@link java.util.concurrent.CancellationException} carrying the
   * reason; at {@code timeout} the flag is set too and it fails with {@link QueueException.Timeout}.
   *
   * @throws QueueException.NoWorker when no live worker serves {@code model}
   * @throws QueueException.Full when the model's stream holds {@link QueueSettings#maxLength()} jobs
   * @throws QueueException.Unavailable when the broker cannot take the job
   * @throws QueueException.Timeout after {@code timeout}
   * @throws QueueException.Failed when the worker refused or failed the job, or it was dead-lettered
   * @throws java.util.concurrent.CancellationException when {@code cancellation} fired
   * @throws InterruptedException when the waiting thread was interrupted (the job is cancelled)
   */
  default GenerationResult generate(String model, GenerationRequest request, ProgressListener listener,
      CancellationToken cancellation, Duration timeout) throws InterruptedException {
    return generate(model, request, JobSelection.of(request), listener, cancellation, timeout);
  }

  /**
   * {@link #generate(String, GenerationRequest, ProgressListener, CancellationToken, Duration)} with
   * {@code selection}'s LoRAs and VAE, which the worker resolves in its own library; one it lacks
   * fails the job as {@link QueueException.Failed.Kind#INVALID}, naming it.
   */
  GenerationResult generate(String model, GenerationRequest request, JobSelection selection, ProgressListener listener,
      CancellationToken cancellation, Duration timeout) throws InterruptedException;

  /**
   * Jobs of {@code model} waiting or running.
   *
   * @throws QueueException.Unavailable when the broker cannot be reached
   */
  long depth(String model);

  /**
   * The live workers (those whose last heartbeat is recent), in id order.
   *
   * @throws QueueException.Unavailable when the broker cannot be reached
   */
  List<WorkerStatus> workers();

  /** Whether the broker answers now (one round trip). */
  boolean isAvailable();

  /**
   * Starts a worker consuming the jobs of {@code models}' names with their generators (not owned:
   * the caller closes them after the worker). It registers with heartbeats naming {@code device}.
   */
  default QueueWorker startWorker(Map<String, Generator> models, String device) {
    return startWorker(WorkerModels.of(models), device);
  }

  /**
   * Starts a worker consuming the jobs of {@code models}' names, each run on what {@link
   * WorkerModels#open} gives for the job's selection (not owned: the caller closes the models after
   * the worker). It registers with heartbeats naming {@code device}.
   */
  QueueWorker startWorker(WorkerModels models, String device);

  /** Stops the workers started here and closes the connections (idempotent). */
  @Override
  void close();
}
