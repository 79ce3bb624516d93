package io.github.ldm4j.queue.internal;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.JobSelection;
import io.github.ldm4j.queue.WorkerModels;
import io.github.ldm4j.queue.QueueAddress;
import io.github.ldm4j.queue.QueueException;
import io.github.ldm4j.queue.QueueSettings;
import io.github.ldm4j.queue.QueueWorker;
import io.github.ldm4j.queue.WorkerStatus;
import io.github.ldm4j.sampler.CancellationToken;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Redis Streams binding of {@link JobQueue}; see {@link Keys} for the data layout and {@link
 * Scripts} for the atomic steps. A waiting caller reads its job's events stream ({@code XREAD BLOCK}),
 * so progress and the end arrive without polling the outcome, and a Redis restart only delays them.
 */
public final class RedisJobQueue implements JobQueue {

  private static final Logger LOG = Logger.getLogger(RedisJobQueue.class.getName());

  /** Longest single {@code XREAD BLOCK} of a waiting caller (it rechecks its cancellation between). */
  private static final long WAIT_SLICE_MS = 200;

  /** Connections of the pool: one per waiting caller at most, plus workers. */
  private static final int POOL_SIZE = 512;

  /** How long the live-workers answer of {@link #generate} is reused. */
  private static final long WORKERS_CACHE_MS = 500;

  private final RedisCommands redis;
  private final QueueSettings settings;
  private final List<RedisWorker> started = new CopyOnWriteArrayList<>();
  private final ExecutorService flags = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "ldm4j-queue-cancel");
    t.setDaemon(true);
    return t;
  });
  private volatile CachedWorkers cachedWorkers;

  private record CachedWorkers(long at, List<WorkerStatus> workers) {}

  /** A queue on {@code address}; nothing connects until the first call. */
  public RedisJobQueue(QueueAddress address, QueueSettings settings) {
    this.settings = settings;
    this.redis = new RedisCommands(address, POOL_SIZE);
  }

  /** The settings. */
  public QueueSettings settings() {
    return settings;
  }

  /** The commands (for the workers of this queue). */
  RedisCommands commands() {
    return redis;
  }

  @Override
  public GenerationResult generate(String model, GenerationRequest request, JobSelection selection,
      ProgressListener listener, CancellationToken cancellation, Duration timeout) throws InterruptedException {
    cancellation.throwIfCancelled();
    List<WorkerStatus> live = liveWorkers();
    List<WorkerStatus> serving = live.stream().filter(w -> w.models().contains(model)).toList();
    if (serving.isEmpty()) {
      throw new QueueException.NoWorker("no live worker serves the model '" + model + "' (live workers: "
          + live.size() + "); start one with: ldm4j worker --redis " + redis.where());
    }
    String job = UUID.randomUUID().toString();
    long deadline = System.nanoTime() + timeout.toNanos();
    Response r = redis.evalReplicated(Scripts.ENQUEUE, new String[] {Keys.jobs(model)}, settings.maxLength(), Keys.GROUP, job,
        JobCodec.encode(request), System.currentTimeMillis(), listener.wantsPreview() ? "1" : "0",
        selection.isPlain() && selection.prompt().equals(request.prompt())
            && selection.negativePrompt().equals(request.negativePrompt()) ? new byte[0] : JobCodec.encode(selection));
    long depth = r.get(1).toLong();
    if (r.get(0).toLong() == 0) {
      long retry = retryAfterSeconds(model, depth, serving.size());
      throw new QueueException.Full("the queue of model '" + model + "' is full (" + depth + " jobs waiting or running, "
          + serving.size() + " worker(s)); retry in " + retry + " s", depth, retry);
    }
    cancellation.onCancel(() -> cancelLater(job));
    String last = "0-0";
    while (true) {
      if (cancellation.isCancelled()) {
        throw new CancellationException(cancellation.reason().orElse("cancelled"));
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        cancelLater(job);
        throw new QueueException.Timeout("the job did not finish within the request timeout of " + timeout);
      }
      if (Thread.interrupted()) {
        cancelLater(job);
        throw new InterruptedException("interrupted while waiting for job " + job);
      }
      long block = Math.max(1, Math.min(WAIT_SLICE_MS, left));
      Response events;
      try {
        events = redis.call(block, "XREAD", "COUNT", 100, "BLOCK", block, "STREAMS", Keys.events(job), last);
      } catch (QueueException.Unavailable e) {
        // Redis is away: the job is durable there; keep waiting until it returns or the timeout.
        Thread.sleep(Math.min(WAIT_SLICE_MS, Math.max(1, left)));
        continue;
      }
      if (events == null) {
        continue;
      }
      for (Response entry : events.get(0).get(1)) {
        if (cancellation.isCancelled()) {
          throw new CancellationException(cancellation.reason().orElse("cancelled"));
        }
        last = entry.get(0).toString();
        Map<String, String> f = fields(entry.get(1));
        if ("progress".equals(f.get("type"))) {
          ProgressEvent event;
          try {
            event = JobCodec.decodeProgress(f.get("step"), f.get("total"), f.get("sigma"), preview(entry.get(1)));
          } catch (IllegalArgumentException e) {
            LOG.warning("dropped a progress event of job " + job + ": " + e.getMessage());
            continue;
          }
          listener.onProgress(event);
        } else if ("end".equals(f.get("type"))) {
          return outcome(job, cancellation);
        }
      }
    }
  }

  /** The preview of a progress event's fields, if it carries one (a PNG; one that does not decode is dropped). */
  private static Optional<RgbImage> preview(Response flat) {
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      if ("preview".equals(flat.get(i).toString())) {
        try {
          return Optional.of(JobCodec.decodePreview(flat.get(i + 1).toBytes()));
        } catch (IllegalArgumentException e) {
          LOG.warning("dropped a progress preview that is not a PNG: " + e.getMessage());
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  private GenerationResult outcome(String job, CancellationToken cancellation) throws InterruptedException {
    Response stored;
    while (true) {
      try {
        stored = redis.call("GET", Keys.result(job));
        break;
      } catch (QueueException.Unavailable e) {
        Thread.sleep(WAIT_SLICE_MS);
      }
    }
    if (stored == null) {
      throw new QueueException.Failed(QueueException.Failed.Kind.FAILED, "the outcome of job " + job
          + " expired before it was read");
    }
    Outcome o = JobCodec.decodeOutcome(stored.toBytes());
    return switch (o.status()) {
      case DONE -> o.result().orElseThrow();
      case CANCELLED -> throw new CancellationException(cancellation.reason().orElse(o.message()));
      case INVALID -> throw new QueueException.Failed(QueueException.Failed.Kind.INVALID, o.message());
      case UNPROCESSABLE -> throw new QueueException.Failed(QueueException.Failed.Kind.UNPROCESSABLE, o.message());
      case FAILED -> throw new QueueException.Failed(QueueException.Failed.Kind.FAILED, o.message());
      case DEAD_LETTER -> throw new QueueException.Failed(QueueException.Failed.Kind.DEAD_LETTER, o.message());
    };
  }

  /** Sets the job's cancel flag off the caller's thread (a closed queue sets none: its jobs are reclaimed). */
  private void cancelLater(String job) {
    try {
      flags.execute(() -> setCancelFlag(job));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.warning("queue closed: the cancel flag of job " + job + " is not set");
    }
  }

  private void setCancelFlag(String job) {
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        redis.call("SET", Keys.cancel(job), "1", "PX", settings.resultTtl().toMillis());
        return;
      } catch (QueueException.Unavailable e) {
        try {
          Thread.sleep(WAIT_SLICE_MS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    LOG.warning("could not set the cancel flag of job " + job + ": Redis stayed unavailable");
  }

  /**
   * Seconds until a full queue may have room: its depth times the model's measured mean job time
   * (1 s before any was measured) over its live workers; at least 1.
   */
  private long retryAfterSeconds(String model, long depth, int workers) {
    long avgMs = 1000;
    try {
      Response avg = redis.call("HGET", Keys.stats(model), "avg_ms");
      if (avg != null) {
        avgMs = Math.max(1, avg.toLong());
      }
    } catch (QueueException.Unavailable e) {
      // the default
    }
    return Math.max(1, (long) Math.ceil(depth * (double) avgMs / Math.max(1, workers) / 1000.0));
  }

  private List<WorkerStatus> liveWorkers() {
    CachedWorkers c = cachedWorkers;
    long now = System.currentTimeMillis();
    if (c != null && now - c.at() < WORKERS_CACHE_MS) {
      return c.workers();
    }
    List<WorkerStatus> w = workers();
    cachedWorkers = new CachedWorkers(now, w);
    return w;
  }

  @Override
  public long depth(String model) {
    return redis.call("XLEN", Keys.jobs(model)).toLong();
  }

  @Override
  public List<WorkerStatus> workers() {
    Response ids = redis.call("SMEMBERS", Keys.WORKERS);
    List<WorkerStatus> out = new ArrayList<>();
    for (Response idr : ids) {
      String id = idr.toString();
      Response h = redis.call("HGETALL", Keys.worker(id));
      if (h == null || h.size() == 0) {
        redis.call("SREM", Keys.WORKERS, id);
        continue;
      }
      Map<String, String> f = fields(h);
      String models = f.getOrDefault("models", "");
      String job = f.getOrDefault("job", "");
      out.add(new WorkerStatus(id, models.isEmpty() ? List.of() : Arrays.asList(models.split(",")),
          f.getOrDefault("device", ""), job.isEmpty() ? Optional.empty() : Optional.of(job),
          Instant.ofEpochMilli(Long.parseLong(f.getOrDefault("started", "0"))),
          Instant.ofEpochMilli(Long.parseLong(f.getOrDefault("beat", "0"))),
          Long.parseLong(f.getOrDefault("completed", "0"))));
    }
    out.sort(Comparator.comparing(WorkerStatus::id));
    return out;
  }

  @Override
  public boolean isAvailable() {
    try {
      redis.call("PING");
      return true;
    } catch (QueueException.Unavailable e) {
      return false;
    }
  }

  @Override
  public QueueWorker startWorker(WorkerModels models, String device) {
    RedisWorker w = new RedisWorker(this, models, device);
    started.add(w);
    w.start();
    return w;
  }

  /** The fields of a flat field/value array. */
  static java.util.LinkedHashMap<String, String> fields(Response flat) {
    java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      m.put(flat.get(i).toString(), flat.get(i + 1).toString(StandardCharsets.UTF_8));
    }
    return m;
  }

  @Override
  public void close() {
    for (RedisWorker w : started) {
      w.close();
    }
    flags.shutdown();
    try {
      flags.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    redis.close();
  }

  /** Logs a Redis outage once per transition. */
  static void logOutage(Logger log, boolean[] down, QueueException.Unavailable e) {
    if (!down[0]) {
      down[0] = true;
      log.log(Level.WARNING, "queue unavailable, retrying: " + e.getMessage());
    }
  }
}
