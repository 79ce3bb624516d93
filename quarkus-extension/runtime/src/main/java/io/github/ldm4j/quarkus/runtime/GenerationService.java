package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.sampler.CancellationToken;
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

  /** Creates the pool from the limits. */
  @Inject
  public GenerationService(Ldm4jConfig config) {
    Ldm4jConfig.Limits l = config.limits();
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(l.concurrentGenerations(), l.concurrentGenerations(), 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(l.queueLength()), r -> {
          Thread t = new Thread(r, "ldm4j-generation-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.timeout = l.requestTimeout();
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
    try {
      f = pool.submit(() -> {
        running.incrementAndGet();
        try {
          cancellation.throwIfCancelled();
          return generator.generate(request, e -> {
            latest.set(e);
            listener.onProgress(e);
          }, cancellation);
        } finally {
          running.decrementAndGet();
        }
      });
    } catch (RejectedExecutionException e) {
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

  /** Generations running now. */
  public int running() {
    return running.get();
  }

  /** Stops the pool. */
  @PreDestroy
  void shutdown() {
    pool.shutdownNow();
  }
}
