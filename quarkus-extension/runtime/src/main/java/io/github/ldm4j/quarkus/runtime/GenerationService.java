package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.sampler.CancellationToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
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
 */
@Singleton
public class GenerationService {

  private final ThreadPoolExecutor pool;
  private final Duration timeout;
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicReference<ProgressEvent> latest = new AtomicReference<>();
  private final AtomicLong jobs = new AtomicLong();
  private final BroadcastProcessor<ProgressUpdate> updates = BroadcastProcessor.create();

  private final Counter images;
  private final Counter steps;
  private final Counter rejected;
  private final Timer duration;

  /**
   * Creates the pool from the limits and registers the meters: {@code ldm4j.images},
   * {@code ldm4j.steps} (its rate is steps per second), {@code ldm4j.rejected} (429s),
   * {@code ldm4j.generation} (latency, waiting excluded), gauges {@code ldm4j.queue.depth} and
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
    this.images = Counter.builder("ldm4j.images").description("Images generated").register(meters);
    this.steps = Counter.builder("ldm4j.steps").description("Sampler steps run").register(meters);
    this.rejected = Counter.builder("ldm4j.rejected").description("Requests refused on a full queue").register(meters);
    this.duration = Timer.builder("ldm4j.generation").description("Generation time, waiting excluded").register(meters);
    Gauge.builder("ldm4j.queue.depth", pool, p -> p.getQueue().size()).description("Generations waiting").register(meters);
    Gauge.builder("ldm4j.generations.running", running, AtomicInteger::get).description("Generations running")
        .register(meters);
  }

  /** A full queue. */
  public static final class QueueFullException extends RuntimeException {
    QueueFullException(String message) {
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
   */
  public GenerationResult generate(Generator generator, GenerationRequest request, ProgressListener listener,
      CancellationToken cancellation) throws InterruptedException {
    Future<GenerationResult> f;
    long job = jobs.incrementAndGet();
    try {
      f = pool.submit(() -> {
        running.incrementAndGet();
        long start = System.nanoTime();
        try {
          cancellation.throwIfCancelled();
          GenerationResult result = generator.generate(request, e -> {
            latest.set(e);
            updates.onNext(new ProgressUpdate(job, e.step(), e.totalSteps(), e.sigma()));
            steps.increment();
            listener.onProgress(e);
          }, cancellation);
          images.increment(result.images().size());
          return result;
        } finally {
          duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
          running.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
      rejected.increment();
      throw new QueueFullException("the generation queue is full (" + pool.getQueue().size() + " waiting, "
          + pool.getMaximumPoolSize() + " running); retry later");
    }
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      cancellation.cancel("request timeout");
      f.cancel(false);
      throw new GenerationTimeoutException("the generation did not finish within the request timeout of " + timeout);
    } catch (InterruptedException e) {
      cancellation.cancel("interrupted");
      f.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c.getMessage(), c);
    }
  }

  /** Generations waiting for a free slot. */
  public int queueDepth() {
    return pool.getQueue().size();
  }

  /** The latest progress event of any generation (empty before the first step). */
  public Optional<ProgressEvent> latestProgress() {
    return Optional.ofNullable(latest.get());
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

  /** Stops the pool. */
  @PreDestroy
  void shutdown() {
    pool.shutdownNow();
    updates.onComplete();
  }
}
