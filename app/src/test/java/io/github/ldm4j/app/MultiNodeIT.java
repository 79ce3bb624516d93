package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.demo.DemoModelCache;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.queue.QueueAddress;
import io.github.ldm4j.queue.internal.JobCodec;
import io.github.ldm4j.queue.internal.Keys;
import io.github.ldm4j.queue.internal.Outcome;
import io.github.ldm4j.queue.internal.RedisCommands;
import io.github.ldm4j.queue.testsupport.RedisServer;
import io.github.ldm4j.spi.BackendOptions;
import io.vertx.redis.client.Response;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-node set-up as processes: one API node without models ({@code serve --queue URL
 * --no-models}), worker processes ({@code worker --redis URL}) on the demo model, and a real
 * redis-server with its append-only file. 200 jobs from concurrent clients through a worker killed
 * with SIGKILL mid-job and a Redis restart, each answer compared with a local generation of its
 * request; a poison job that kills every worker that takes it ends in the dead-letter stream; a
 * client that disconnects stops its job on the worker. Counts (accepted / answered / duplicated /
 * lost) are printed for the closing note.
 */
class MultiNodeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "default";
  private static final int STEPS = 2;
  private static final String[] PROMPTS = {"a red circle", "a blue square", "a green triangle", "a yellow star"};

  @TempDir static Path work;
  private static RedisServer redis;
  private static RedisCommands raw;
  private static ServeProcess api;
  private static final List<WorkerProcess> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static final AtomicInteger started = new AtomicInteger();
  private static List<String> jvmArgs;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .executor(Executors.newFixedThreadPool(4)).build();

  @BeforeAll
  static void cluster() throws Exception {
    System.setProperty("ldm4j.home", AppProcess.home().toString());
    DemoModelCache.ensure(); // once, before several processes would race to write it
    redis = RedisServer.start();
    raw = new RedisCommands(QueueAddress.parse(redis.url()), 4);
    jvmArgs = List.of("-Xmx768m", "-Dquarkus.ldm4j.queue.reclaim-idle=3S", "-Dquarkus.ldm4j.queue.heartbeat=500MS",
        "-Dquarkus.ldm4j.queue.max-deliveries=2", "-Dquarkus.ldm4j.queue.max-length=512",
        "-Dquarkus.ldm4j.limits.request-timeout=5M");
    api = ServeProcess.start(work, jvmArgs, List.of("--queue", redis.url(), "--no-models"));
    for (int i = 0; i < 3; i++) {
      workers.add(WorkerProcess.start(work, jvmArgs, redis.url(), started.incrementAndGet()));
    }
    awaitWorkers(3);
  }

  @AfterAll
  static void stop() {
    workers.forEach(WorkerProcess::close);
    if (api != null) {
      api.close();
    }
    if (raw != null) {
      raw.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static JsonNode workersNow() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api.base() + "/ldm4j/workers")).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? JSON.readTree(r.body()).get("workers") : JSON.createArrayNode();
  }

  private static void awaitWorkers(int n) throws Exception {
    for (int i = 0; i < 300; i++) {
      if (workersNow().size() >= n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("fewer than " + n + " live workers: " + workersNow());
  }

  private static String body(String prompt, long seed, int steps) {
    return "{\"prompt\":\"" + prompt + "\",\"seed\":" + seed + ",\"steps\":" + steps
        + ",\"cfg_scale\":7.5,\"width\":512,\"height\":512}";
  }

  private static HttpResponse<String> txt2img(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(api.base() + "/sdapi/v1/txt2img"))
        .header("Content-Type", "application/json").timeout(Duration.ofMinutes(6))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long statsDone() {
    Response r = raw.call("HGET", Keys.stats(MODEL), "done");
    return r == null ? 0 : r.toLong();
  }

  /** The ids of the jobs waiting or running (the model's stream holds exactly those). */
  private static List<String> jobsInFlight() {
    List<String> ids = new ArrayList<>();
    for (Response e : raw.call("XRANGE", Keys.jobs(MODEL), "-", "+")) {
      for (int i = 0; i + 1 < e.get(1).size(); i += 2) {
        if (e.get(1).get(i).toString().equals("job")) {
          ids.add(e.get(1).get(i + 1).toString());
        }
      }
    }
    return ids;
  }

  /** The live worker process whose heartbeat says it runs {@code job}, or null. */
  private static WorkerProcess running(String job) throws Exception {
    for (JsonNode w : workersNow()) {
      if (w.hasNonNull("currentJob") && w.get("currentJob").asText().equals(job)) {
        WorkerProcess p = byId(w.get("id").asText());
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }

  /** The only job in flight, once it is queued. */
  private static String onlyJob() throws Exception {
    for (int i = 0; i < 1000; i++) {
      List<String> ids = jobsInFlight();
      if (!ids.isEmpty()) {
        assertThat(ids).as("one job in flight").hasSize(1);
        return ids.getFirst();
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("the job was not queued");
  }

  private static WorkerProcess byId(String id) throws Exception {
    for (WorkerProcess w : workers) {
      if (w.isAlive() && w.id().equals(id)) {
        return w;
      }
    }
    return null;
  }

  @Test
  void twoHundredJobsSurviveAWorkerKilledMidJobAndARedisRestart() throws Exception {
    int jobs = 200;
    int longSteps = 100;
    Map<Integer, RgbImage> expected = new HashMap<>();
    RgbImage expectedLong;
    try (Generator local = Generator.open(DemoModelCache.ensure(), "onnx", BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS)) {
      for (int k = 0; k < PROMPTS.length; k++) {
        expected.put(k, reference(local, PROMPTS[k], k, STEPS));
      }
      expectedLong = reference(local, PROMPTS[0], 100, longSteps);
    }
    long doneBefore = statsDone();
    long deadBefore = deadLetters();
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger wrong = new AtomicInteger();
    AtomicInteger refusedRetried = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService clients = Executors.newFixedThreadPool(12);
    List<Future<?>> all = new ArrayList<>();
    // Job 0 runs long: the worker that takes it is killed (SIGKILL) in the middle of it.
    assertThat(jobsInFlight()).isEmpty();
    all.add(clients.submit(() -> send(body(PROMPTS[0], 100, longSteps), expectedLong, accepted, answered, wrong,
        refusedRetried, failures)));
    String killedJob = onlyJob();
    WorkerProcess victim = null;
    for (int i = 0; i < 1000 && victim == null; i++) {
      victim = running(killedJob);
      Thread.sleep(20);
    }
    assertThat(victim).as("a worker took the long job").isNotNull();
    String victimId = victim.id();
    for (int i = 1; i < jobs; i++) {
      int k = i % PROMPTS.length;
      all.add(clients.submit(() -> send(body(PROMPTS[k], k, STEPS), expected.get(k), accepted, answered, wrong,
          refusedRetried, failures)));
    }
    while (answered.get() < 10 || lastStep(killedJob) < 5) {
      Thread.sleep(20);
    }
    assertThat(raw.call("EXISTS", Keys.result(killedJob)).toLong()).as("the long job is still running").isZero();
    int stepAtKill = lastStep(killedJob);
    victim.kill();
    workers.add(WorkerProcess.start(work, jvmArgs, redis.url(), started.incrementAndGet()));
    // Redis restarts (SIGTERM, AOF flushed) while jobs are queued and running.
    while (answered.get() < 100) {
      Thread.sleep(50);
    }
    int inFlightAtRestart = jobsInFlight().size();
    redis.restart();
    for (Future<?> f : all) {
      f.get(15, TimeUnit.MINUTES);
    }
    clients.shutdown();
    Outcome o = JobCodec.decodeOutcome(raw.call("GET", Keys.result(killedJob)).toBytes());
    long stored = statsDone() - doneBefore;
    Response refused = raw.call("HGET", Keys.stats(MODEL), "refused_duplicates");
    boolean reclaimLogged = false;
    for (WorkerProcess w : workers) {
      reclaimLogged |= w.isAlive() && w.stderr().contains("reclaimed job " + killedJob);
    }
    System.out.printf("MultiNodeIT: jobs %d, accepted %d, answered %d (right picture), wrong %d, duplicated %d "
        + "(outcomes stored %d; later stores refused %s), lost %d, refused before acceptance and retried %d; killed worker"
        + " %s at step %d of %d of its job, the job reclaimed: %s (%s); jobs in flight at the Redis restart: %d%n", jobs, accepted.get(), answered.get(),
        wrong.get(), stored - answered.get(), stored, refused == null ? "0" : refused.toString(),
        accepted.get() - answered.get(), refusedRetried.get(), victimId, stepAtKill, longSteps, reclaimLogged, o.status(), inFlightAtRestart);
    assertThat(failures).isEmpty();
    assertThat(accepted.get()).isEqualTo(jobs);
    assertThat(answered.get()).isEqualTo(jobs);
    assertThat(wrong.get()).isZero();
    assertThat(stored).as("outcomes stored: one per job, none duplicated").isEqualTo(jobs);
    assertThat(o.status()).isEqualTo(Outcome.Status.DONE);
    assertThat(inFlightAtRestart).as("accepted jobs waited in Redis across its restart").isPositive();
    assertThat(reclaimLogged).as("a live worker reclaimed the killed worker's job").isTrue();
    assertThat(raw.call("XLEN", Keys.jobs(MODEL)).toLong()).isZero();
    assertThat(deadLetters()).as("no job of this run was dead-lettered").isEqualTo(deadBefore);
  }

  private static long deadLetters() {
    return raw.call("XLEN", Keys.dead(MODEL)).toLong();
  }

  private static RgbImage reference(Generator local, String prompt, long seed, int steps) {
    GenerationSettings s = GenerationSettings.DEFAULTS.toBuilder().size(512, 512).steps(steps).seed(seed).guidance(7.5)
        .build();
    return local.generate(new GenerationRequest.TextToImage(prompt, "", s)).images().getFirst().image();
  }

  /** One client: retries while refused before acceptance (503/429), then counts the answer. */
  private static Void send(String body, RgbImage expected, AtomicInteger accepted, AtomicInteger answered,
      AtomicInteger wrong, AtomicInteger refusedRetried, List<String> failures) throws Exception {
    for (int attempt = 0; attempt < 200; attempt++) {
      HttpResponse<String> r = txt2img(body);
      if (r.statusCode() == 503 || r.statusCode() == 429) {
        refusedRetried.incrementAndGet();
        Thread.sleep(500);
        continue;
      }
      accepted.incrementAndGet();
      if (r.statusCode() != 200) {
        failures.add(r.statusCode() + " " + r.body());
        return null;
      }
      byte[] png = Base64.getDecoder().decode(JSON.readTree(r.body()).get("images").get(0).asText());
      if (PngCodec.decode(png, 1 << 20).image().equals(expected)) {
        answered.incrementAndGet();
      } else {
        wrong.incrementAndGet();
      }
      return null;
    }
    failures.add("refused 200 times: " + body);
    return null;
  }

  /** The last step a job's worker reported (0 before the first). */
  private static int lastStep(String job) {
    int last = 0;
    try {
      for (Response e : raw.call("XRANGE", Keys.events(job), "-", "+")) {
        for (int i = 0; i + 1 < e.get(1).size(); i += 2) {
          if (e.get(1).get(i).toString().equals("step")) {
            last = Integer.parseInt(e.get(1).get(i + 1).toString());
          }
        }
      }
    } catch (RuntimeException e) {
      // Redis restarting: unknown yet
    }
    return last;
  }

  @Test
  void aJobThatKillsItsWorkersGoesToTheDeadLetterStreamAndItsClientGets500() throws Exception {
    awaitWorkers(3);
    long deadBefore = deadLetters();
    assertThat(jobsInFlight()).isEmpty();
    ExecutorService client = Executors.newFixedThreadPool(3);
    Future<HttpResponse<String>> answer = client.submit(() -> txt2img(body("a poison pill", 1, 150)));
    String poison = onlyJob();
    int kills = 0;
    List<Future<?>> replacements = new ArrayList<>();
    while (!answer.isDone()) {
      WorkerProcess victim = running(poison);
      if (victim != null) {
        victim.kill(); // the job crashes every worker that runs it
        kills++;
        replacements.add(client.submit(() -> workers.add(WorkerProcess.start(work, jvmArgs, redis.url(),
            started.incrementAndGet()))));
      }
      Thread.sleep(20);
    }
    HttpResponse<String> r = answer.get();
    for (Future<?> f : replacements) {
      f.get(2, TimeUnit.MINUTES);
    }
    client.shutdown();
    System.out.printf("MultiNodeIT: poison job killed %d workers, then: %d %s%n", kills, r.statusCode(),
        r.body().length() > 400 ? r.body().substring(0, 400) : r.body());
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("dead_letter");
    assertThat(kills).isEqualTo(2); // max-deliveries=2: the third delivery is dead-lettered
    assertThat(deadLetters()).isEqualTo(deadBefore + 1);
  }

  @Test
  void aClientThatDisconnectsStopsItsJobOnTheWorker() throws Exception {
    awaitWorkers(1);
    assertThat(jobsInFlight()).isEmpty();
    String job;
    try (Socket s = new Socket("127.0.0.1", api.port())) {
      String body = body("a red circle", 3, 150);
      OutputStream out = s.getOutputStream();
      out.write(("POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      job = onlyJob();
      WorkerProcess worker = null;
      for (int i = 0; i < 600 && worker == null; i++) {
        worker = running(job);
        Thread.sleep(20);
      }
      assertThat(worker).as("a worker took the job").isNotNull();
    } // the client goes away
    Response stored = null;
    for (int i = 0; i < 300 && stored == null; i++) {
      stored = raw.call("GET", Keys.result(job));
      Thread.sleep(100);
    }
    assertThat(stored).as("the worker stored the job's outcome").isNotNull();
    assertThat(JobCodec.decodeOutcome(stored.toBytes()).status()).isEqualTo(Outcome.Status.CANCELLED);
    int lastStep = lastStep(job);
    System.out.printf("MultiNodeIT: disconnected client's job stopped on its worker at step %d of 150%n", lastStep);
    assertThat(lastStep).isLessThan(150);
  }
  @Test
  void stepsAndPreviewsOfAJobOnAWorkerReachTheApiNodesProgressEndpoints() throws Exception {
    awaitWorkers(1);
    String task = "multinode-preview-1";
    int steps = 40;
    // Subscribe first (a subscriber may connect before the request arrives), then send the request.
    var sse = http.sendAsync(HttpRequest.newBuilder(URI.create(api.base() + "/ldm4j/progress/" + task))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      Future<HttpResponse<String>> answer = client.submit(() -> txt2img(body("a red circle", 5, steps)
          .replace("}", ",\"force_task_id\":\"" + task + "\"}")));
      // The A1111 progress of the API node shows the worker's job while it runs.
      JsonNode seen = null;
      while (!answer.isDone() && seen == null) {
        JsonNode p = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(api.base() + "/sdapi/v1/progress"))
            .build(), HttpResponse.BodyHandlers.ofString()).body());
        if (task.equals(p.path("current_task").asText()) && p.get("progress").asDouble() > 0) {
          seen = p;
        }
        Thread.sleep(5);
      }
      assertThat(answer.get(2, TimeUnit.MINUTES).statusCode()).isEqualTo(200);
      assertThat(seen).as("/sdapi/v1/progress showed the job running on a worker").isNotNull();
      List<JsonNode> events = new ArrayList<>();
      for (String line : (Iterable<String>) sse.get(1, TimeUnit.MINUTES).body()::iterator) {
        if (line.startsWith("data:")) {
          events.add(JSON.readTree(line.substring(5)));
        }
      }
      List<JsonNode> stepEvents = events.stream().filter(e -> e.get("event").asText().equals("step")).toList();
      assertThat(stepEvents).extracting(e -> e.get("step").asInt())
          .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, steps).boxed().toList());
      assertThat(events.getLast().get("event").asText()).isEqualTo("done");
      // Previews travel from the worker: a 1/8-size PNG (512 px → 64 px) on the step events.
      List<JsonNode> withPreview = stepEvents.stream().filter(e -> e.hasNonNull("preview")).toList();
      assertThat(withPreview).as("step events carrying the worker's preview").isNotEmpty();
      RgbImage preview = PngCodec.decode(Base64.getDecoder().decode(withPreview.getLast().get("preview").asText()),
          1 << 20).image();
      assertThat(preview.width()).isEqualTo(64);
      assertThat(preview.height()).isEqualTo(64);
      System.out.printf("MultiNodeIT: %d step events from the worker, %d with a preview; /sdapi/v1/progress showed %s%n",
          stepEvents.size(), withPreview.size(), seen);
    } finally {
      client.shutdownNow();
    }
  }

  @Test
  void theApiNodeExportsTheQueueDepthAndAWorkerAnswersItsHealthProbes() throws Exception {
    String metrics = http.send(HttpRequest.newBuilder(URI.create(api.base() + "/q/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).containsPattern("ldm4j_queue_remote_depth\\{[^}]*model=\"default\"[^}]*\\} [0-9.]+");
    try (WorkerProcess w = WorkerProcess.start(work, jvmArgs, redis.url(), started.incrementAndGet(),
        List.of("--health-port", "0"))) {
      int port = Integer.parseInt(w.stdout().replaceAll("(?s).*worker health on port ([0-9]+).*", "$1"));
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      JsonNode check = JSON.readTree(ready.body());
      assertThat(check.get("status").asText()).isEqualTo("UP");
      assertThat(check.get("checks").get(0).get("data").get("worker").asText()).isEqualTo(w.id());
      HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/q/health/live")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      // It stops on SIGTERM (143: the JVM's exit status for the signal, as for the other workers here).
      assertThat(w.terminate()).isIn(0, 143);
    }
  }
}
