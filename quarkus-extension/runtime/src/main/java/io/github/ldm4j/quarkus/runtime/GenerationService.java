package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.generate.Provenance;
import io.github.ldm4j.sampler.CancellationToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs generations on a dedicated pool of {@code quarkus.ldm4j.limits.concurrent-generations}
 * threads (never on the event loop) behind a FIFO queue of {@code queue-length} places; a
 * submission to a full queue fails at once with {@link QueueFullException}, and a generation over
 * {@code request-timeout} (waiting included) is cancelled and fails with {@link GenerationTimeoutException}.
 * A shutdown has two steps: {@link #stopAdmitting()} (new submissions fail at once with {@link
 * ShuttingDownException} while the accepted ones run on), then {@link #shutdown()}, which cancels
 * every queued and running generation, whose callers then fail at once with {@link ShuttingDownException}.
 */
@Singleton
public class GenerationService {

  private static final Logger LOG = Logger.getLogger(GenerationService.class);

  private final ThreadPoolExecutor pool;
  private final Duration timeout;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicReference<Current> latest = new AtomicReference<>();
  private final AtomicLong jobs = new AtomicLong();
  private final BroadcastProcessor<ProgressUpdate> updates = BroadcastProcessor.create();
  private final Set<Job> live = ConcurrentHashMap.newKeySet(); // queued or running
  private final Object admission = new Object();
  private boolean draining; // guarded by admission: new submissions are refused, accepted ones run on
  private boolean closed; // guarded by admission: accepted ones are cancelled too
  private volatile long previewsUntil = System.nanoTime(); // previews are made for every job until then

  private final Counter images;
  private final Counter steps;
  private final Counter rejected;
  private final Timer duration;
  private final MeterRegistry meters;

  /**
   * Creates the pool from the limits and registers the meters: {@code ldm4j.images},
   * {@code ldm4j.steps} (its rate is steps per second), {@code ldm4j.rejected} (429s),
   * {@code ldm4j.generation} (latency, waiting excluded), {@code ldm4j.cancelled} (tag {@code
   * reason}: {@value #DISCONNECT}, {@value #TIMEOUT}, {@value #SHUTDOWN}, {@value #INTERRUPTED}, {@value #SKIPPED}), gauges {@code ldm4j.queue.depth} and
   * {@code ldm4j.generations.running}.
   */
  @Inject
  public GenerationService(Ldm4jConfig config, MeterRegistry meters) {
    Ldm4jConfig.Limits l = config.limits();
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(l.concurrentGenerations(), l.concurrentGenerations(), 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(l.queueLength()), r -> {
          Thread t = new Thread(r, "ldm4j-generation-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.timeout = l.requestTimeout();
    this.meters = meters;
    this.images = Counter.builder("ldm4j.images").description("Images generated").register(meters);
    this.steps = Counter.builder("ldm4j.steps").description("Sampler steps run").register(meters);
    this.rejected = Counter.builder("ldm4j.rejected").description("Requests refused on a full queue").register(meters);
    this.duration = Timer.builder("ldm4j.generation").description("Generation time, waiting excluded").register(meters);
    cancelled(DISCONNECT, 0);
    cancelled(TIMEOUT, 0);
    cancelled(SHUTDOWN, 0);
    Gauge.builder("ldm4j.queue.depth", pool, p -> p.getQueue().size()).description("Generations waiting").register(meters);
    Gauge.builder("ldm4j.generations.running", running, AtomicInteger::get).description("Generations running")
        .register(meters);
  }

  /** A full queue. */
  public static final class QueueFullException extends RuntimeException {
    private final java.util.OptionalLong retryAfterSeconds;

    QueueFullException(String message) {
      this(message, java.util.OptionalLong.empty());
    }

    QueueFullException(String message, java.util.OptionalLong retryAfterSeconds) {
      super(message);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The queue's own estimate of when to retry (a Redis queue's, from depth and throughput), if it has one. */
    public java.util.OptionalLong retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** A submission refused, or a generation cancelled, because the server is shutting down. */
  public static final class ShuttingDownException extends RuntimeException {
    ShuttingDownException(String message) {
      super(message);
    }
  }

  /** A generation that ran over the request timeout (and was cancelled). */
  public static final class GenerationTimeoutException extends RuntimeException {
    GenerationTimeoutException(String message) {
      super(message);
    }
  }

  /**
   * Runs one generation and waits for it. {@code cancellation} may also be cancelled by the caller
   * (e.g. on client disconnect).
   *
   * @throws QueueFullException when the queue is full
   * @throws GenerationTimeoutException when the request timeout passed
   * @throws IllegalArgumentException for requests the model cannot serve
   * @throws CancellationException when cancelled by the caller
   * @throws ShuttingDownException when submitted after {@link #stopAdmitting()} or {@link #shutdown()},
   *     or cancelled by the latter
   */
  public GenerationResult generate(Generator generator, GenerationRequest request, ProgressListener listener,
      CancellationToken cancellation) throws InterruptedException {
    return generate(generator, request, Provenance.of(request), listener, cancellation, TaskRegistry.Task.detached(),
        () -> {});
  }

  /**
   * Runs one generation as {@code task} and waits for it; the task gets the queued and step events
   * and exactly one terminal event. When {@code cancellation} fires (by the caller, e.g. on client
   * disconnect, or here on timeout with reason {@value #TIMEOUT}) a queued generation leaves the
   * queue without running, a running one stops at its next step, and this method returns at once.
   * The cancellation reason is counted in {@code ldm4j.cancelled{reason}} when the generation did not
   * finish because of it.
   *
   * @throws QueueFullException when the queue is full
   * @throws GenerationTimeoutException when the request timeout passed
   * @throws IllegalArgumentException for requests the model cannot serve
   * @throws CancellationException when cancelled by the caller (its message is the reason)
   * @throws ShuttingDownException when submitted after {@link #stopAdmitting()} or {@link #shutdown()},
   *     or cancelled by the latter
   */
  public GenerationResult generate(Generator generator, GenerationRequest request, ProgressListener listener,
      CancellationToken cancellation, TaskRegistry.Task task) throws InterruptedException {
    return generate(generator, request, Provenance.of(request), listener, cancellation, task, () -> {});
  }

  /**
   * Runs one generation as {@link #generate(Generator, GenerationRequest, ProgressListener,
   * CancellationToken, TaskRegistry.Task)}, its images' parameters text saying what {@code provenance}
   * adds, and runs {@code finished} exactly once when the generation can no longer touch {@code
   * generator}: after it ran, or when it was refused or left the queue without running. This method
   * may return earlier (a cancellation returns at once while a running generation stops at its next
   * step), so a caller that must release the generator (a cached pipeline) does it in {@code finished}.
   */
  public GenerationResult generate(Generator generator, GenerationRequest request, Provenance provenance,
      ProgressListener listener, CancellationToken cancellation, TaskRegistry.Task task, Runnable finished)
      throws InterruptedException {
    Job job = new Job(jobs.incrementAndGet(), generator, request, provenance, listener, cancellation, task, finished);
    Future<GenerationResult> f;
    synchronized (admission) {
      if (draining || closed) {
        job.finish();
        task.cancelled(SHUTDOWN);
        throw new ShuttingDownException(SHUTTING_DOWN);
      }
      task.queued();
      try {
        f = pool.submit(job);
      } catch (RejectedExecutionException e) {
        job.finish();
        rejected.increment();
        String message = "the generation queue is full (" + pool.getQueue().size() + " waiting, "
            + pool.getMaximumPoolSize() + " running); retry later";
        task.failed(message);
        throw new QueueFullException(message);
      }
      live.add(job);
    }
    cancellation.onCancel(() -> {
      if (job.state.compareAndSet(Job.QUEUED, Job.SKIPPED)) {
        pool.remove((Runnable) f);
        job.finish();
        String why = cancellation.reason().orElse("cancelled");
        cancelled(why);
        task.cancelled(why);
      }
      f.cancel(false);
    });
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      cancellation.cancel(TIMEOUT);
      throw new GenerationTimeoutException("the generation did not finish within the request timeout of " + timeout);
    } catch (CancellationException e) {
      throw cancelledBy(cancellation);
    } catch (InterruptedException e) {
      cancellation.cancel(SHUTDOWN);
      throw e;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof CancellationException) {
        throw cancelledBy(cancellation);
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c.getMessage(), c);
    } finally {
      live.remove(job);
    }
  }

  /**
   * Runs one generation of {@code model} with {@code selection}'s LoRAs and VAE (resolved by the
   * worker) as {@code task} on the workers of {@code queue} ({@code quarkus.ldm4j.queue.kind=redis})
   * and waits for it, with the admission, task events, meters and
   * shutdown of a local generation: progress is relayed from the worker, a cancellation reaches it
   * through the job's cancel flag. The waiting happens on the calling thread; the bound is the
   * queue's ({@code quarkus.ldm4j.queue.max-length}), not the local pool's.
   *
   * @throws QueueFullException when the model's stream is full (with the queue's retry estimate)
   * @throws GenerationTimeoutException when the request timeout passed
   * @throws CancellationException when cancelled by the caller (its message is the reason)
   * @throws ShuttingDownException when submitted after {@link #stopAdmitting()} or cancelled by {@link #shutdown()}
   * @throws io.github.ldm4j.queue.QueueException for a queue that is away, a model no worker serves, or a failed job
   */
  public GenerationResult generateRemote(io.github.ldm4j.queue.JobQueue queue, String model, GenerationRequest request,
      io.github.ldm4j.queue.JobSelection selection, ProgressListener listener, CancellationToken cancellation,
      TaskRegistry.Task task) throws InterruptedException {
    Job job = new Job(jobs.incrementAndGet(), null, request, Provenance.of(request), listener, cancellation, task, () -> { });
    synchronized (admission) {
      if (draining || closed) {
        task.cancelled(SHUTDOWN);
        throw new ShuttingDownException(SHUTTING_DOWN);
      }
      live.add(job);
    }
    task.queued();
    long start = System.nanoTime();
    // Running (for /sdapi/v1/progress and the gauge) from the worker's first step until the answer.
    java.util.concurrent.atomic.AtomicBoolean runs = new java.util.concurrent.atomic.AtomicBoolean();
    try {
      GenerationResult result = queue.generate(model, request, selection, new ProgressListener() {
        @Override
        public void onProgress(ProgressEvent e) {
          if (runs.compareAndSet(false, true)) {
            // running from the worker's first step: until then the job waits in the stream, and
            // interrupt/skip (which stop running jobs only) and the ETA leave it alone
            job.startedAt(System.nanoTime());
            running.incrementAndGet();
          }
          latest.set(new Current(task.id(), e, job.number, job.startedAt, job.startNanos));
          updates.onNext(new ProgressUpdate(job.number, e.step(), e.totalSteps(), e.sigma()));
          steps.increment();
          task.step(e);
          listener.onProgress(e);
        }

        @Override
        public boolean wantsPreview() {
          return listener.wantsPreview() || task.wantsPreview() || System.nanoTime() - previewsUntil < 0;
        }
      }, cancellation, timeout);
      images.increment(result.images().size());
      duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      task.done();
      return result;
    } catch (io.github.ldm4j.queue.QueueException.Full e) {
      rejected.increment();
      task.failed(e.getMessage());
      throw new QueueFullException(e.getMessage(), java.util.OptionalLong.of(e.retryAfterSeconds()));
    } catch (io.github.ldm4j.queue.QueueException.Timeout e) {
      cancellation.cancel(TIMEOUT);
      cancelled(TIMEOUT);
      task.cancelled(TIMEOUT);
      throw new GenerationTimeoutException(e.getMessage());
    } catch (CancellationException e) {
      String why = cancellation.reason().orElse("cancelled");
      cancelled(why);
      task.cancelled(why);
      throw cancelledBy(cancellation);
    } catch (InterruptedException e) {
      cancellation.cancel(SHUTDOWN);
      task.cancelled(SHUTDOWN);
      throw e;
    } catch (RuntimeException e) {
      task.failed(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
      throw e;
    } finally {
      if (runs.get()) {
        running.decrementAndGet();
      }
      live.remove(job);
    }
  }

  private static RuntimeException cancelledBy(CancellationToken cancellation) {
    String why = cancellation.reason().orElse("cancelled");
    return SHUTDOWN.equals(why) ? new ShuttingDownException(SHUTTING_DOWN) : new CancellationException(why);
  }

  /** The message of a {@link ShuttingDownException}. */
  static final String SHUTTING_DOWN = "the server is shutting down; retry on another instance or later";

  /** Cancellation reason of a client that closed its connection. */
  public static final String DISCONNECT = "disconnect";

  /** Cancellation reason of a request over its timeout. */
  public static final String TIMEOUT = "timeout";

  /** Cancellation reason of a server shutting down. */
  public static final String SHUTDOWN = "shutdown";

  private void cancelled(String reason) {
    cancelled(reason, 1);
  }

  private void cancelled(String reason, int count) {
    Counter.builder("ldm4j.cancelled").description("Generations cancelled before they finished")
        .tag("reason", reason).register(meters).increment(count);
  }

  /**
   * One submitted generation; runs at most once, and never after it was skipped. A remote one
   * ({@link #generateRemote}) has no generator and is never run here: it is kept for {@link #shutdown()}.
   */
  private final class Job implements Callable<GenerationResult> {
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int SKIPPED = 2;

    final AtomicInteger state = new AtomicInteger(QUEUED);
    private final long number;
    private final Generator generator;
    private final GenerationRequest request;
    private final Provenance provenance;
    private final ProgressListener listener;
    private final CancellationToken cancellation;
    private final TaskRegistry.Task task;
    private final Runnable finished;
    private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile java.time.Instant startedAt; // null until it runs
    private volatile long startNanos;

    /** It began running now ({@code nanos}: {@link System#nanoTime()}). */
    void startedAt(long nanos) {
      startNanos = nanos;
      startedAt = java.time.Instant.now();
    }

    Job(long number, Generator generator, GenerationRequest request, Provenance provenance, ProgressListener listener,
        CancellationToken cancellation, TaskRegistry.Task task, Runnable finished) {
      this.number = number;
      this.generator = generator;
      this.request = request;
      this.provenance = java.util.Objects.requireNonNull(provenance, "provenance");
      this.listener = listener;
      this.cancellation = cancellation;
      this.task = task;
      this.finished = java.util.Objects.requireNonNull(finished, "finished");
    }

    /** Runs {@code finished} once: the generator is no longer touched by this job. */
    void finish() {
      if (done.compareAndSet(false, true)) {
        try {
          finished.run();
        } catch (RuntimeException e) {
          LOG.warn("releasing a generation's pipeline failed", e);
        }
      }
    }

    @Override
    public GenerationResult call() {
      if (!state.compareAndSet(QUEUED, RUNNING)) {
        throw new CancellationException(cancellation.reason().orElse("cancelled"));
      }
      try {
        return run();
      } finally {
        finish();
      }
    }

    private GenerationResult run() {
      running.incrementAndGet();
      long start = System.nanoTime();
      startedAt(start);
      try {
        cancellation.throwIfCancelled();
        GenerationResult result = generator.generate(request, provenance, new ProgressListener() {
          @Override
          public void onProgress(ProgressEvent e) {
            latest.set(new Current(task.id(), e, number, startedAt, startNanos));
            updates.onNext(new ProgressUpdate(number, e.step(), e.totalSteps(), e.sigma()));
            steps.increment();
            task.step(e);
            listener.onProgress(e);
          }

          @Override
          public boolean wantsPreview() {
            return listener.wantsPreview() || task.wantsPreview() || System.nanoTime() - previewsUntil < 0;
          }
        }, cancellation);
        images.increment(result.images().size());
        task.done();
        return result;
      } catch (CancellationException e) {
        String why = cancellation.reason().orElse("cancelled");
        cancelled(why);
        task.cancelled(why);
        throw e;
      } catch (RuntimeException | Error e) {
        task.failed(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        throw e;
      } finally {
        duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        running.decrementAndGet();
      }
    }
  }

  /**
   * The latest step of any generation.
   *
   * @param taskId its task id, or null when the request named none
   * @param event the step
   * @param job the generation's number (1, 2, … in order of submission)
   * @param startedAt when the generation began running
   * @param startNanos the same, as {@link System#nanoTime()}
   */
  public record Current(String taskId, ProgressEvent event, long job, java.time.Instant startedAt, long startNanos) {

    /**
     * The estimated seconds left, from the time the generation has run and the fraction of its steps
     * done at its latest step (AUTOMATIC1111's estimate: {@code elapsed / progress - elapsed}); 0 before
     * its first step.
     */
    public double etaSeconds(long nowNanos) {
      double elapsed = (nowNanos - startNanos) / 1e9;
      double fraction = event.fraction();
      return fraction <= 0 ? 0 : Math.max(0, elapsed / fraction - elapsed);
    }
  }

  /** Reason of a generation stopped by {@link #interrupt()}. */
  public static final String INTERRUPTED = "interrupted";

  /** Reason of a generation stopped by {@link #skip()}. */
  public static final String SKIPPED = "skipped";

  /**
   * Stops the running generations (those queued go on): each stops at its next step and its caller
   * fails with a {@link CancellationException} whose message is {@value #INTERRUPTED} (AUTOMATIC1111's
   * {@code POST /sdapi/v1/interrupt}). Returns how many it stopped.
   */
  public int interrupt() {
    return stopRunning(INTERRUPTED);
  }

  /**
   * AUTOMATIC1111's {@code POST /sdapi/v1/skip}, "skip the current image": ldm4j samples a batch in one
   * pass, so the current image is the running generation's, and skipping it stops that generation as
   * {@link #interrupt()} does, with reason {@value #SKIPPED}; those queued go on. Returns how many it stopped.
   */
  public int skip() {
    return stopRunning(SKIPPED);
  }

  private int stopRunning(String reason) {
    int n = 0;
    for (Job job : List.copyOf(live)) {
      if (job.startedAt != null && !job.cancellation.isCancelled()) {
        job.cancellation.cancel(reason);
        n++;
      }
    }
    return n;
  }

  /**
   * Why generation number {@code job} was stopped ({@value #INTERRUPTED}, {@value #SKIPPED}, …) while it
   * is still queued or running; empty when it was not, or is no longer live.
   */
  public Optional<String> stopReason(long job) {
    for (Job j : live) {
      if (j.number == job) {
        return j.cancellation.isCancelled() ? j.cancellation.reason() : Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Asks every generation for a latent preview at each step for the next {@code seconds} (the latest is
   * {@link #latestStep()}'s {@link ProgressEvent#preview()}): a client polling the progress with the
   * current image asks on each poll, so that previews cost nothing while nobody looks.
   */
  public void wantPreviews(int seconds) {
    previewsUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }

  /** Generations waiting for a free slot. */
  public int queueDepth() {
    return pool.getQueue().size();
  }

  /** The latest progress event of any generation (empty before the first step). */
  public Optional<ProgressEvent> latestProgress() {
    return latestStep().map(Current::event);
  }

  /** The latest step of any generation, with its task id (empty before the first step). */
  public Optional<Current> latestStep() {
    return Optional.ofNullable(latest.get());
  }

  /** The latest step of a generation still queued or running (empty when none has stepped yet). */
  public Optional<Current> runningStep() {
    Current c = latest.get();
    if (c != null) {
      for (Job j : live) {
        if (j.number == c.job()) {
          return Optional.of(c);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Every generation's steps as they happen (hot: a subscriber sees the steps after it subscribed).
   * A subscriber that falls more than {@value #PROGRESS_BUFFER} updates behind is failed.
   */
  public Multi<ProgressUpdate> progressUpdates() {
    return updates.onOverflow().buffer(PROGRESS_BUFFER);
  }

  /** Updates buffered per slow progress subscriber. */
  public static final int PROGRESS_BUFFER = 4096;

  /** Generations running now. */
  public int running() {
    return running.get();
  }

  /** Whether {@link #shutdown()} ran: submissions are refused and nothing runs any more. */
  public boolean isShutDown() {
    synchronized (admission) {
      return closed;
    }
  }

  /**
   * Whether new submissions are accepted: false from {@link #stopAdmitting()} (the shutdown began)
   * or {@link #shutdown()} on.
   */
  public boolean isAdmitting() {
    synchronized (admission) {
      return !(draining || closed);
    }
  }

  /**
   * The first step of a shutdown (idempotent): from now on a submission fails at once with {@link
   * ShuttingDownException} (answered 503 {@code shutting_down} with {@code Retry-After}, so that a
   * load balancer or client retries elsewhere) and readiness is down, while the generations already
   * queued or running go on. Called by {@link Ldm4jShutdownListener} as soon as the shutdown begins;
   * {@link #shutdown()} later cancels what did not finish.
   */
  public void stopAdmitting() {
    synchronized (admission) {
      if (!draining && !closed) {
        LOG.infof("Shutting down: refusing new generations; %d queued or running may finish", live.size());
      }
      draining = true;
    }
  }

  /** Seconds {@link #shutdown()} waits for the pool threads to stop after cancelling them. */
  static final int SHUTDOWN_WAIT_SECONDS = 10;

  /**
   * Shuts the service down (idempotent). Stops admitting (as {@link #stopAdmitting()}), cancels every queued and running generation with reason {@value
   * #SHUTDOWN} (its task ends {@code cancelled}, its caller fails with {@link ShuttingDownException}
   * at once), completes the global progress stream, then waits at most {@value
   * #SHUTDOWN_WAIT_SECONDS} s for the pool threads (a running generation stops at its next step).
   * Called by {@link Ldm4jShutdownListener} in Quarkus' shutdown phase (after the accepted work had
   * most of {@code quarkus.shutdown.timeout} to drain, while the HTTP server still answers), and again,
   * as a no-op, on the {@link ShutdownEvent} and at bean destruction; public so that tests can
   * trigger it.
   */
  public void shutdown() {
    List<Job> cancel;
    synchronized (admission) {
      if (closed) {
        return;
      }
      closed = true;
      cancel = List.copyOf(live);
    }
    if (!cancel.isEmpty()) {
      LOG.infof("Shutting down: cancelling %d queued or running generation(s)", cancel.size());
    }
    for (Job job : cancel) {
      job.task.cancelled(SHUTDOWN); // now, even when a running one notices only at its next step
      job.cancellation.cancel(SHUTDOWN);
    }
    pool.shutdown();
    updates.onComplete();
    try {
      if (!pool.awaitTermination(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warnf("Generations still running %d s after the shutdown began", SHUTDOWN_WAIT_SECONDS);
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits at most {@code max} until no caller waits for a generation any more (none queued or
   * running); returns whether none waits. Used by {@link Ldm4jShutdownListener} to let accepted work
   * drain.
   */
  public boolean awaitCallers(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!live.isEmpty()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return live.isEmpty();
      }
    }
    return true;
  }

  void onShutdown(@Observes ShutdownEvent event) {
    shutdown();
  }

  @PreDestroy
  void destroy() {
    shutdown();
  }
}
