package io.github.ldm4j.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.JobQueues;
import io.github.ldm4j.queue.QueueAddress;
import io.github.ldm4j.queue.QueueException;
import io.github.ldm4j.queue.QueueSettings;
import io.github.ldm4j.queue.QueueWorker;
import io.github.ldm4j.queue.testsupport.RedisServer;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.spi.BackendOptions;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Redis binding against a real redis-server, with workers running the shapes demo model at
 * 64 px: the worker's images equal a local {@link Generator#generate} of the same request, progress
 * is relayed, backpressure, no-worker, reclaim of a dead consumer's job, dead letters, idempotent
 * outcomes, cancellation reaching the worker, recovery from a Redis restart, and the hires fix run
 * by a worker as locally.
 */
class RedisJobQueueTest {

  private static final int SIZE = 64;
  private static final String MODEL = "shapes";

  @TempDir static Path modelDir;
  private static Generator generator;
  private RedisServer redis;
  private JobQueue queue;
  private RedisCommands raw;

  @BeforeAll
  static void openModel() throws Exception {
    ShapesModel.write(modelDir, ShapesOptions.defaults().withImageSize(SIZE));
    generator = Generator.open(modelDir, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS);
  }

  @AfterAll
  static void closeModel() {
    generator.close();
  }

  @BeforeEach
  void start() {
    redis = RedisServer.start();
    queue = JobQueues.connect(QueueAddress.parse(redis.url()), settings());
    raw = new RedisCommands(QueueAddress.parse(redis.url()), 4);
    raw.call("XGROUP", "CREATE", Keys.jobs(MODEL), Keys.GROUP, "0", "MKSTREAM");
  }

  private static QueueSettings settings() {
    return QueueSettings.DEFAULTS.withReclaimIdle(Duration.ofSeconds(1)).withHeartbeat(Duration.ofMillis(200));
  }

  @AfterEach
  void stop() {
    queue.close();
    raw.close();
    redis.close();
  }

  private static GenerationRequest request(String prompt, int steps, long seed) {
    return new GenerationRequest.TextToImage(prompt, "",
        GenerationSettings.builder().size(SIZE, SIZE).steps(steps).seed(seed).build());
  }

  private void awaitWorker() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (queue.workers().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(queue.workers()).isNotEmpty();
  }

  @Test
  void aWorkerAnswersWithTheLocalPicturesAndRelaysProgress() throws Exception {
    QueueWorker worker = queue.startWorker(Map.of(MODEL, generator), "cpu");
    awaitWorker();
    assertThat(queue.workers().getFirst().models()).containsExactly(MODEL);
    assertThat(queue.workers().getFirst().device()).isEqualTo("cpu");
    List<ProgressEvent> steps = new CopyOnWriteArrayList<>();
    GenerationRequest r = request("a red circle", 5, 42);
    GenerationResult remote = queue.generate(MODEL, r, steps::add, new CancellationToken(), Duration.ofSeconds(60));
    GenerationResult local = generator.generate(r);
    assertThat(remote.images()).hasSize(1);
    assertThat(remote.images().getFirst().image()).isEqualTo(local.images().getFirst().image());
    assertThat(remote.images().getFirst().parameters()).isEqualTo(local.images().getFirst().parameters());
    assertThat(remote.sampler()).isEqualTo(local.sampler());
    assertThat(steps).extracting(ProgressEvent::step).containsExactly(1, 2, 3, 4, 5);
    awaitCompleted(worker, 1);
    assertThat(queue.depth(MODEL)).isZero();
  }

  @Test
  void aWorkerRunsTheHiresFixAsALocalGenerator() throws Exception {
    Path anySize = modelDir.resolveSibling(modelDir.getFileName() + "-any-size");
    ShapesModel.write(anySize, ShapesOptions.demo().withImageSize(SIZE)); // the embedded demo model: any size
    try (Generator generator = Generator.open(anySize, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      hiresThroughAWorker(generator);
    }
  }

  private void hiresThroughAWorker(Generator generator) throws Exception {
    QueueWorker worker = queue.startWorker(Map.of(MODEL, generator), "cpu");
    awaitWorker();
    List<ProgressEvent> steps = new CopyOnWriteArrayList<>();
    GenerationRequest r = new GenerationRequest.TextToImage("a red circle", "",
        GenerationSettings.builder().size(SIZE, SIZE).steps(3).seed(42).build(),
        java.util.Optional.of(new HiresFix(new HiresFix.Scale(2), HiresUpscaler.LATENT, 2, 0.6)));
    GenerationResult remote = queue.generate(MODEL, r, steps::add, new CancellationToken(), Duration.ofSeconds(60));
    GenerationResult local = generator.generate(r);
    RgbImage image = remote.images().getFirst().image();
    assertThat(image.width()).isEqualTo(2 * SIZE);
    assertThat(image.height()).isEqualTo(2 * SIZE);
    assertThat(image.rgb()).isEqualTo(local.images().getFirst().image().rgb());
    assertThat(remote.images().getFirst().parameters()).isEqualTo(local.images().getFirst().parameters())
        .contains("Hires upscale: 2");
    assertThat(steps).extracting(ProgressEvent::totalSteps).containsOnly(5); // both passes: 3 + 2
    awaitCompleted(worker, 1);
    worker.close();
  }

  @Test
  void previewsAreRelayedWhenTheClientWantsThem() throws Exception {
    queue.startWorker(Map.of(MODEL, generator), "cpu");
    awaitWorker();
    GenerationRequest r = request("a red circle", 4, 42);
    List<ProgressEvent> remote = new CopyOnWriteArrayList<>();
    List<ProgressEvent> local = new CopyOnWriteArrayList<>();
    queue.generate(MODEL, r, previewing(remote), new CancellationToken(), Duration.ofSeconds(60));
    generator.generate(r, previewing(local), new CancellationToken());
    assertThat(remote).hasSize(4).allSatisfy(e -> assertThat(e.preview()).isPresent());
    // The worker's previews are the local ones (1/8 of the picture), through a lossless PNG.
    assertThat(remote).extracting(e -> e.preview().orElseThrow())
        .containsExactlyElementsOf(local.stream().map(e -> e.preview().orElseThrow()).toList());
    assertThat(remote.getFirst().preview().orElseThrow().width()).isEqualTo(SIZE / 8);
    // A client that wants none gets none (the worker does not compute them).
    List<ProgressEvent> plain = new CopyOnWriteArrayList<>();
    queue.generate(MODEL, r, plain::add, new CancellationToken(), Duration.ofSeconds(60));
    assertThat(plain).hasSize(4).allSatisfy(e -> assertThat(e.preview()).isEmpty());
  }

  private static ProgressListener previewing(List<ProgressEvent> into) {
    return new ProgressListener() {
      @Override
      public void onProgress(ProgressEvent e) {
        into.add(e);
      }

      @Override
      public boolean wantsPreview() {
        return true;
      }
    };
  }

  /** The worker counts its store after the client saw the end event: wait for it. */
  private static void awaitCompleted(QueueWorker worker, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (worker.completed() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(worker.completed()).isEqualTo(n);
  }

  @Test
  void aModelNoLiveWorkerServesFailsAtOnce() {
    queue.startWorker(Map.of(MODEL, generator), "cpu");
    assertThatThrownBy(() -> queue.generate("other", request("a red circle", 2, 0), ProgressListener.NONE,
        new CancellationToken(), Duration.ofSeconds(5)))
        .isInstanceOf(QueueException.NoWorker.class).hasMessageContaining("'other'");
  }

  @Test
  void aFullStreamRefusesWithRetryAfter() throws Exception {
    registerFakeWorker();
    for (int i = 0; i < QueueSettings.DEFAULTS.maxLength(); i++) {
      raw.call("XADD", Keys.jobs(MODEL), "*", "job", "filler-" + i, "payload", "x");
    }
    raw.call("HSET", Keys.stats(MODEL), "avg_ms", 2000);
    assertThatThrownBy(() -> queue.generate(MODEL, request("a red circle", 2, 0), ProgressListener.NONE,
        new CancellationToken(), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(QueueException.Full.class, e -> {
          assertThat(e.depth()).isEqualTo(QueueSettings.DEFAULTS.maxLength());
          // 64 jobs × 2 s over one worker
          assertThat(e.retryAfterSeconds()).isEqualTo(128);
        });
  }

  /** A heartbeat of a worker that consumes nothing (test data written as a worker would). */
  private void registerFakeWorker() {
    raw.call("HSET", Keys.worker("w-fake"), "models", MODEL, "device", "cpu", "job", "", "started", 0, "beat", 0,
        "completed", 0);
    raw.call("SADD", Keys.WORKERS, "w-fake");
  }

  @Test
  void aJobLeftByADeadConsumerIsReclaimedAndAnsweredOnce() throws Exception {
    registerFakeWorker();
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      GenerationRequest r = request("a blue square", 3, 7);
      Future<GenerationResult> answer = client.submit(() -> queue.generate(MODEL, r, ProgressListener.NONE,
          new CancellationToken(), Duration.ofSeconds(60)));
      // A consumer takes the job and dies without acknowledging it.
      Response taken = null;
      for (int i = 0; i < 100 && (taken == null || taken.size() == 0); i++) {
        taken = raw.call(100, "XREADGROUP", "GROUP", Keys.GROUP, "w-dead", "COUNT", 1, "BLOCK", 100, "STREAMS",
            Keys.jobs(MODEL), ">");
      }
      assertThat(taken).isNotNull();
      String entry = taken.get(0).get(1).get(0).get(0).toString();
      String job = RedisJobQueue.fields(taken.get(0).get(1).get(0).get(1)).get("job");
      QueueWorker worker = queue.startWorker(Map.of(MODEL, generator), "cpu");
      GenerationResult result = answer.get(60, TimeUnit.SECONDS);
      assertThat(result.images().getFirst().image()).isEqualTo(generator.generate(r).images().getFirst().image());
      awaitCompleted(worker, 1);
      // The dead consumer comes back and stores its own outcome: the first one stays.
      byte[] late = JobCodec.encode(Outcome.failed(Outcome.Status.FAILED, "late"));
      Response stored = raw.eval(Scripts.COMPLETE,
          new String[] {Keys.jobs(MODEL), Keys.result(job), Keys.events(job), Keys.stats(MODEL)},
          Keys.GROUP, entry, late, 60_000, "FAILED", 1);
      assertThat(stored.toLong()).isZero();
      assertThat(JobCodec.decodeOutcome(raw.call("GET", Keys.result(job)).toBytes()).status())
          .isEqualTo(Outcome.Status.DONE);
      assertThat(raw.call("XLEN", Keys.jobs(MODEL)).toLong()).isZero();
      assertThat(raw.call("XPENDING", Keys.jobs(MODEL), Keys.GROUP).get(0).toLong()).isZero();
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void aJobDeliveredTooOftenGoesToTheDeadLetterStreamAndFails() throws Exception {
    registerFakeWorker();
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      Future<GenerationResult> answer = client.submit(() -> queue.generate(MODEL, request("a poison", 2, 0),
          ProgressListener.NONE, new CancellationToken(), Duration.ofSeconds(60)));
      Response taken = null;
      for (int i = 0; i < 100 && (taken == null || taken.size() == 0); i++) {
        taken = raw.call(100, "XREADGROUP", "GROUP", Keys.GROUP, "w-dead-1", "COUNT", 1, "BLOCK", 100, "STREAMS",
            Keys.jobs(MODEL), ">");
      }
      String entry = taken.get(0).get(1).get(0).get(0).toString();
      // Two more workers took it and died (each claim is a delivery): 3 deliveries, the default maximum.
      raw.call("XCLAIM", Keys.jobs(MODEL), Keys.GROUP, "w-dead-2", 0, entry);
      raw.call("XCLAIM", Keys.jobs(MODEL), Keys.GROUP, "w-dead-3", 0, entry);
      queue.startWorker(Map.of(MODEL, generator), "cpu");
      assertThatThrownBy(() -> answer.get(60, TimeUnit.SECONDS)).cause()
          .isInstanceOfSatisfying(QueueException.Failed.class, e -> {
            assertThat(e.kind()).isEqualTo(QueueException.Failed.Kind.DEAD_LETTER);
            assertThat(e.getMessage()).contains("delivered 4 times").contains(Keys.dead(MODEL));
          });
      assertThat(raw.call("XLEN", Keys.dead(MODEL)).toLong()).isEqualTo(1);
      assertThat(raw.call("XLEN", Keys.jobs(MODEL)).toLong()).isZero();
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void aClientCancellationStopsTheRunningJobOnTheWorker() throws Exception {
    queue.startWorker(Map.of(MODEL, generator), "cpu");
    awaitWorker();
    CancellationToken token = new CancellationToken();
    List<ProgressEvent> steps = new CopyOnWriteArrayList<>();
    ProgressListener cancelAtStep2 = e -> {
      steps.add(e);
      if (e.step() == 2) {
        token.cancel("disconnect");
      }
    };
    int total = GenerationLimits.DEFAULTS.maxSteps();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> queue.generate(MODEL, request("a green triangle", total, 0), cancelAtStep2, token,
        Duration.ofSeconds(120))).isInstanceOf(CancellationException.class).hasMessage("disconnect");
    // The worker stores CANCELLED before the last step.
    String job = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (job == null && System.nanoTime() < deadline) {
      Response keys = raw.call("KEYS", Keys.PREFIX + "result:*");
      if (keys.size() == 1) {
        job = keys.get(0).toString().substring((Keys.PREFIX + "result:").length());
      } else {
        Thread.sleep(20);
      }
    }
    assertThat(job).as("the worker stored an outcome").isNotNull();
    Outcome o = JobCodec.decodeOutcome(raw.call("GET", Keys.result(job)).toBytes());
    assertThat(o.status()).isEqualTo(Outcome.Status.CANCELLED);
    Response events = raw.call("XRANGE", Keys.events(job), "-", "+");
    int lastStep = 0;
    for (Response e : events) {
      var f = RedisJobQueue.fields(e.get(1));
      if ("progress".equals(f.get("type"))) {
        lastStep = Integer.parseInt(f.get("step"));
      }
    }
    assertThat(lastStep).isLessThan(total);
    System.out.println("cancelled job stopped at step " + lastStep + " of " + total + " after "
        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
  }

  @Test
  void jobsCompleteAcrossARedisRestart() throws Exception {
    queue.startWorker(Map.of(MODEL, generator), "cpu");
    awaitWorker();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<GenerationResult>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        GenerationRequest r = request("a red circle", 20, i);
        answers.add(clients.submit(() -> queue.generate(MODEL, r, ProgressListener.NONE, new CancellationToken(),
            Duration.ofSeconds(120))));
      }
      // Restart once all 8 are accepted (waiting or done): a job submitted while Redis is down is refused.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (raw.call("XLEN", Keys.jobs(MODEL)).toLong() + raw.call("KEYS", Keys.PREFIX + "result:*").size() < 8
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      redis.restart();
      for (int i = 0; i < answers.size(); i++) {
        GenerationResult g = answers.get(i).get(120, TimeUnit.SECONDS);
        assertThat(g.images().getFirst().seed()).isEqualTo(i);
      }
      assertThat(queue.isAvailable()).isTrue();
      assertThat(queue.depth(MODEL)).isZero();
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void aLoraTheWorkerLacksFailsTheJobAt400NamingItWithoutRetry() throws Exception {
    QueueWorker worker = queue.startWorker(Map.of(MODEL, generator), "cpu");
    awaitWorker();
    GenerationRequest r = request("a red circle", 2, 1);
    var selection = new io.github.ldm4j.queue.JobSelection("a red circle <lora:Nope:1>", "",
        List.of(new io.github.ldm4j.conditioning.prompt.LoraTag("Nope", 1, 1)), java.util.Optional.empty());
    assertThatThrownBy(() -> queue.generate(MODEL, r, selection, ProgressListener.NONE, new CancellationToken(),
        Duration.ofSeconds(30)))
        .isInstanceOfSatisfying(QueueException.Failed.class, e -> {
          assertThat(e.kind()).isEqualTo(QueueException.Failed.Kind.INVALID);
          assertThat(e.getMessage()).contains("LoRA 'Nope'").contains(worker.id());
        });
    assertThat(raw.call("XLEN", Keys.dead(MODEL)).toLong()).isZero();
    assertThat(queue.depth(MODEL)).isZero();
  }

  @Test
  void theCodecRoundTripsASelection() {
    var s = new io.github.ldm4j.queue.JobSelection("a fox <lora:L:0.5>", "ugly",
        List.of(new io.github.ldm4j.conditioning.prompt.LoraTag("L", 0.5, 0.25),
            new io.github.ldm4j.conditioning.prompt.LoraTag("sub/ünï", 1, 1)), java.util.Optional.of("vae-ft-mse"));
    assertThat(JobCodec.decodeSelection(JobCodec.encode(s))).isEqualTo(s);
    var plain = io.github.ldm4j.queue.JobSelection.of(request("p", 2, 0));
    assertThat(JobCodec.decodeSelection(JobCodec.encode(plain))).isEqualTo(plain);
    assertThatThrownBy(() -> JobCodec.decodeSelection(new byte[] {1, 2, 3, 4}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic");
    byte[] cut = java.util.Arrays.copyOf(JobCodec.encode(s), 20);
    assertThatThrownBy(() -> JobCodec.decodeSelection(cut)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theCodecRoundTripsEveryRequestKind() {
    var s = GenerationSettings.builder().size(16, 8).steps(3).seed(5).sampler("euler", "karras").guidanceCutoff(1.25).build();
    var image = new io.github.ldm4j.image.RgbImage(16, 8, new byte[16 * 8 * 3]);
    var mask = new io.github.ldm4j.image.Mask(16, 8, new float[16 * 8]);
    String longPrompt = "a red circle, ".repeat(6000); // 84,000 bytes: past DataOutput.writeUTF's 64 KiB
    for (GenerationRequest r : List.of(new GenerationRequest.TextToImage("p", "n", s),
        new GenerationRequest.TextToImage(longPrompt, "ünïcödé", s),
        new GenerationRequest.ImageToImage("p", "", s, image, 0.5),
        new GenerationRequest.Inpainting("p", "", s, image, mask, 1.0),
        new GenerationRequest.TextToImage("p", "n", s, java.util.Optional.of(HiresFix.of(new HiresFix.Scale(2)))),
        new GenerationRequest.TextToImage("p", "", s,
            java.util.Optional.of(new HiresFix(new HiresFix.Size(32, 0), HiresUpscaler.LANCZOS, 7, 0.3))),
        new GenerationRequest.TextToImage("p", "", s,
            java.util.Optional.of(new HiresFix(new HiresFix.Size(24, 24), HiresUpscaler.LATENT_BICUBIC_ANTIALIASED, 0, 1))))) {
      assertThat(JobCodec.decodeRequest(JobCodec.encode(r))).isEqualTo(r);
    }
    assertThatThrownBy(() -> JobCodec.decodeRequest(new byte[] {1, 2, 3, 4}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic");
  }
}
