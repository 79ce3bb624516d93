package io.github.ldm4j.queue.internal;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.queue.JobSelection;
import io.github.ldm4j.queue.QueueException;
import io.github.ldm4j.queue.QueueSettings;
import io.github.ldm4j.queue.QueueWorker;
import io.github.ldm4j.queue.WorkerModels;
import io.github.ldm4j.sampler.CancellationToken;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A worker of the Redis binding: one thread that takes one job at a time — first a job idle past
 * the reclaim timeout ({@code XAUTOCLAIM}: its worker died), else a new one ({@code XREADGROUP}) —
 * and runs it with {@link Generator#generate}, relaying each step and checking the job's cancel flag
 * on it; a scheduler beats the heartbeat and renews the claim of the running job every third of the
 * reclaim timeout. The outcome is stored, acked and announced atomically ({@link Scripts#COMPLETE});
 * while Redis is away the worker takes no job, keeps the finished outcome and retries storing it.
 */
final class RedisWorker implements QueueWorker {

  private static final Logger LOG = Logger.getLogger(RedisWorker.class.getName());

  /** Longest {@code XREADGROUP BLOCK} (the loop rechecks reclaimable jobs and its stop flag between). */
  private static final long READ_BLOCK_MS = 1000;

  /** How long {@link #close()} lets a running job finish. */
  private static final long CLOSE_GRACE_MS = 30_000;

  /** Cancellation reason of a job stopped because its worker closes (nothing is stored: it is reclaimed). */
  private static final String WORKER_STOPPING = "worker stopping";

  /** The preview argument of a step without one. */
  private static final byte[] NO_PREVIEW = new byte[0];

  private final RedisJobQueue queue;
  private final RedisCommands redis;
  private final QueueSettings settings;
  private final WorkerModels models;
  private final List<String> names;
  private final String device;
  private final String id = "w-" + UUID.randomUUID().toString().substring(0, 8);
  private final long startedMs = System.currentTimeMillis();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicReference<Running> current = new AtomicReference<>();
  private final ScheduledExecutorService beats;
  private final Thread thread;
  private volatile boolean stopping;
  private volatile boolean closed;

  private record Running(String model, String entry, String job, CancellationToken token) {}

  private record Delivery(String model, String entry, String job, byte[] payload, boolean preview, byte[] selection,
      long deliveries) {}

  RedisWorker(RedisJobQueue queue, WorkerModels models, String device) {
    this.names = List.copyOf(models.names());
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a worker needs at least one model");
    }
    this.queue = queue;
    this.redis = queue.commands();
    this.settings = queue.settings();
    this.models = models;
    this.device = device;
    this.beats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ldm4j-worker-beat-" + id);
      t.setDaemon(true);
      return t;
    });
    this.thread = new Thread(this::loop, "ldm4j-worker-" + id);
  }

  void start() {
    long beat = settings.heartbeat().toMillis();
    long renew = Math.max(100, settings.reclaimIdle().toMillis() / 3);
    beats.scheduleWithFixedDelay(this::beat, 0, beat, TimeUnit.MILLISECONDS);
    beats.scheduleWithFixedDelay(this::renew, renew, renew, TimeUnit.MILLISECONDS);
    thread.start();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public boolean isRunning() {
    return !closed && thread.isAlive();
  }

  @Override
  public long completed() {
    return completed.get();
  }

  private void loop() {
    boolean[] down = {false};
    for (String model : names) {
      createGroup(model);
    }
    while (!stopping) {
      try {
        Delivery d = reclaim();
        if (d == null) {
          d = read();
        }
        if (down[0]) {
          down[0] = false;
          LOG.info("worker " + id + ": queue available again");
        }
        if (d != null) {
          process(d);
        }
      } catch (QueueException.Unavailable e) {
        RedisJobQueue.logOutage(LOG, down, e);
        sleep(500);
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "worker " + id + ": unexpected failure", e);
        sleep(500);
      }
    }
  }

  private void createGroup(String model) {
    try {
      redis.call("XGROUP", "CREATE", Keys.jobs(model), Keys.GROUP, "0", "MKSTREAM");
    } catch (QueueException.Unavailable e) {
      // BUSYGROUP (exists) or Redis away: the enqueue script creates it as well
    }
  }

  private Delivery reclaim() {
    for (String model : names) {
      Response r = redis.eval(Scripts.RECLAIM, new String[] {Keys.jobs(model)}, Keys.GROUP, id,
          settings.reclaimIdle().toMillis());
      if (r != null && r.size() == 3) {
        Delivery d = delivery(model, r.get(0), r.get(1), r.get(2).toLong());
        LOG.warning("worker " + id + ": reclaimed job " + d.job() + " (delivery " + d.deliveries() + "), idle past "
            + settings.reclaimIdle() + " on a worker that died or lost the queue");
        return d;
      }
    }
    return null;
  }

  private Delivery read() {
    List<Object> args = new ArrayList<>(List.of("GROUP", Keys.GROUP, id, "COUNT", 1, "BLOCK", READ_BLOCK_MS, "STREAMS"));
    for (String model : names) {
      args.add(Keys.jobs(model));
    }
    for (int i = 0; i < names.size(); i++) {
      args.add(">");
    }
    Response r;
    try {
      r = redis.call(READ_BLOCK_MS, "XREADGROUP", args.toArray());
    } catch (QueueException.Unavailable e) {
      if (e.getMessage() != null && e.getMessage().contains("NOGROUP")) {
        names.forEach(this::createGroup);
        return null;
      }
      throw e;
    }
    if (r == null || r.size() == 0) {
      return null;
    }
    Response stream = r.get(0);
    String key = stream.get(0).toString();
    String model = key.substring(Keys.jobs("").length());
    Response entry = stream.get(1).get(0);
    return delivery(model, entry.get(0), entry.get(1), 1);
  }

  private static Delivery delivery(String model, Response entry, Response flat, long deliveries) {
    String job = null;
    byte[] payload = null;
    boolean preview = false;
    byte[] selection = null;
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      String f = flat.get(i).toString();
      if (f.equals("job")) {
        job = flat.get(i + 1).toString();
      } else if (f.equals("payload")) {
        payload = flat.get(i + 1).toBytes();
      } else if (f.equals("preview")) {
        preview = "1".equals(flat.get(i + 1).toString());
      } else if (f.equals("selection")) {
        selection = flat.get(i + 1).toBytes();
      }
    }
    return new Delivery(model, entry.toString(), job == null ? entry.toString() : job, payload, preview, selection,
        deliveries);
  }

  private void process(Delivery d) {
    if (d.deliveries() > settings.maxDeliveries()) {
      deadLetter(d);
      return;
    }
    if (d.payload() == null) {
      store(d, Outcome.failed(Outcome.Status.FAILED, "job entry " + d.entry() + " has no payload"), 0);
      return;
    }
    if (redis.call("EXISTS", Keys.result(d.job())).toLong() == 1) {
      // Stored by an earlier delivery that died before its ack: ack only (the script keeps the first outcome).
      store(d, Outcome.failed(Outcome.Status.FAILED, "duplicate delivery"), 0);
      return;
    }
    if (redis.call("EXISTS", Keys.cancel(d.job())).toLong() == 1) {
      store(d, Outcome.failed(Outcome.Status.CANCELLED, "cancelled before it ran"), 0);
      return;
    }
    CancellationToken token = new CancellationToken();
    current.set(new Running(d.model(), d.entry(), d.job(), token));
    beat();
    long start = System.nanoTime();
    Outcome outcome;
    try {
      outcome = run(d, token);
    } finally {
      current.set(null);
    }
    if (outcome == null) {
      beat();
      return; // stopped by close(): left pending, another worker reclaims it
    }
    store(d, outcome, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    beat(); // the heartbeat no longer names the job
  }

  private Outcome run(Delivery d, CancellationToken token) {
    GenerationRequest request;
    JobSelection selection;
    try {
      request = JobCodec.decodeRequest(d.payload());
      selection = d.selection() == null ? JobSelection.of(request) : JobCodec.decodeSelection(d.selection());
    } catch (RuntimeException e) {
      return Outcome.failed(Outcome.Status.FAILED, "undecodable job: " + e.getMessage());
    }
    WorkerModels.Run run;
    try {
      run = models.open(d.model(), selection);
    } catch (IllegalArgumentException e) {
      // What this worker lacks (a LoRA, a VAE): the client's 400, not a retry.
      return Outcome.failed(Outcome.Status.INVALID, e.getMessage() + " (worker " + id + ")");
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.SEVERE, "worker " + id + ": cannot open model '" + d.model() + "' for job " + d.job(), e);
      return Outcome.failed(Outcome.Status.FAILED, "worker " + id + " cannot open model '" + d.model() + "': "
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
    }
    try (run) {
      return run(d, token, run, request);
    }
  }

  private Outcome run(Delivery d, CancellationToken token, WorkerModels.Run run, GenerationRequest request) {
    Generator generator = run.generator();
    try {
      generator.limits().check(request.settings());
      if (request instanceof GenerationRequest.TextToImage t && t.hires().isPresent()) { // the hires second pass's
        generator.limits().check(t.hires().get().secondPass(request.settings()));
      }
      generator.checkSize(request);
    } catch (IllegalArgumentException e) {
      return Outcome.failed(Outcome.Status.INVALID, e.getMessage());
    }
    String ttl = Long.toString(settings.resultTtl().toMillis());
    try {
      GenerationResult result = run.generate(request, new ProgressListener() {
        @Override
        public void onProgress(ProgressEvent e) {
          byte[] preview = e.preview().map(p -> PngCodec.encode(p, Optional.empty())).orElse(NO_PREVIEW);
          try {
            Response flag = redis.eval(Scripts.PROGRESS, new String[] {Keys.events(d.job()), Keys.cancel(d.job())},
                e.step(), e.totalSteps(), Double.toString(e.sigma()), ttl, preview);
            if (flag != null && flag.toLong() == 1) {
              token.cancel("cancelled by the client");
            }
          } catch (QueueException.Unavailable away) {
            // Redis is away for this step: the job runs on; its outcome is stored once Redis is back.
          }
        }

        @Override
        public boolean wantsPreview() {
          return d.preview();
        }
      }, token);
      return Outcome.done(result);
    } catch (CancellationException e) {
      if (WORKER_STOPPING.equals(token.reason().orElse(""))) {
        return null;
      }
      return Outcome.failed(Outcome.Status.CANCELLED, token.reason().orElse("cancelled"));
    } catch (IllegalArgumentException e) {
      return Outcome.failed(Outcome.Status.UNPROCESSABLE, e.getMessage());
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "worker " + id + ": job " + d.job() + " failed", e);
      return Outcome.failed(Outcome.Status.FAILED,
          e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    }
  }

  /** Stores {@code outcome} (retrying while Redis is away, until stopped) and acks the entry. */
  private void store(Delivery d, Outcome outcome, long durationMs) {
    byte[] bytes = JobCodec.encode(outcome);
    while (true) {
      try {
        Response r = redis.eval(Scripts.COMPLETE,
            new String[] {Keys.jobs(d.model()), Keys.result(d.job()), Keys.events(d.job()), Keys.stats(d.model())},
            Keys.GROUP, d.entry(), bytes, settings.resultTtl().toMillis(), outcome.status().name(), durationMs);
        if (r.toLong() == 1) {
          completed.incrementAndGet();
        }
        return;
      } catch (QueueException.Unavailable e) {
        if (closed) {
          return; // pending: reclaimed and rerun, the stored-once rule keeps one answer
        }
        sleep(250);
      }
    }
  }

  private void deadLetter(Delivery d) {
    String reason = "job " + d.job() + " was delivered " + d.deliveries() + " times without finishing (its workers"
        + " died or lost the queue) and was moved to the dead-letter stream " + Keys.dead(d.model());
    LOG.warning("worker " + id + ": " + reason);
    byte[] outcome = JobCodec.encode(Outcome.failed(Outcome.Status.DEAD_LETTER, reason));
    redis.eval(Scripts.DEAD_LETTER,
        new String[] {Keys.dead(d.model()), Keys.jobs(d.model()), Keys.result(d.job()), Keys.events(d.job())},
        d.job(), d.payload() == null ? new byte[0] : d.payload(), d.deliveries(), reason, Keys.GROUP, d.entry(), outcome,
        settings.resultTtl().toMillis(), Outcome.Status.DEAD_LETTER.name());
  }

  private void beat() {
    if (closed) {
      return;
    }
    Running r = current.get();
    try {
      String key = Keys.worker(id);
      redis.call("HSET", key, "models", String.join(",", names), "device", device, "job",
          r == null ? "" : r.job(), "started", startedMs, "beat", System.currentTimeMillis(), "completed",
          completed.get());
      redis.call("PEXPIRE", key, 3 * settings.heartbeat().toMillis());
      redis.call("SADD", Keys.WORKERS, id);
    } catch (QueueException.Unavailable e) {
      // the loop logs the outage
    }
  }

  private void renew() {
    Running r = current.get();
    if (r == null) {
      return;
    }
    try {
      redis.eval(Scripts.RENEW, new String[] {Keys.jobs(r.model())}, Keys.GROUP, r.entry(), id);
    } catch (QueueException.Unavailable e) {
      // retried at the next renewal
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    stopping = true;
    try {
      thread.join(CLOSE_GRACE_MS);
      if (thread.isAlive()) {
        Running r = current.get();
        if (r != null) {
          r.token().cancel(WORKER_STOPPING);
        }
        thread.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    beats.shutdownNow();
    try {
      redis.call("DEL", Keys.worker(id));
      redis.call("SREM", Keys.WORKERS, id);
    } catch (QueueException.Unavailable e) {
      // the heartbeat key expires by itself
    }
  }
}
