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
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.JobQueues;
import io.github.ldm4j.queue.QueueAddress;
import io.github.ldm4j.queue.QueueException;
import io.github.ldm4j.queue.QueueSettings;
import io.github.ldm4j.queue.testsupport.RedisServer;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.spi.BackendOptions;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue through Redis Sentinel, as real processes: one master, one replica and one sentinel
 * ({@code redis-server --sentinel}); an API side and a worker connect with {@code
 * redis-sentinel://HOST:PORT/NAME}. Jobs go through, and a {@code SENTINEL FAILOVER} in the middle
 * of a run loses no accepted job: each is answered once with the local picture, and jobs go on
 * through the new master.
 */
class RedisSentinelTest {

  private static final int SIZE = 64;
  private static final String MODEL = "shapes";
  private static final String MASTER = "ldm4j";

  @TempDir Path modelDir;

  @Test
  void addressesParse() {
    QueueAddress a = QueueAddress.parse("redis-sentinel://u:secret@s1:26380,s2/mymaster");
    assertThat(a.kind()).isEqualTo(QueueAddress.Kind.REDIS_SENTINEL);
    assertThat(a.endpoints()).containsExactly("redis://u:secret@s1:26380", "redis://u:secret@s2:26379");
    assertThat(a.masterName()).contains("mymaster");
    assertThat(a.toString()).isEqualTo("redis-sentinel://s1:26380,s2:26379/mymaster").doesNotContain("secret");
    assertThat(QueueAddress.parse("redis://h:6379").masterName()).isEmpty();
    assertThatThrownBy(() -> QueueAddress.parse("redis-sentinel://s1:26379")).hasMessageContaining("names no master");
    assertThatThrownBy(() -> QueueAddress.parse("redis-sentinel://s1:x/m")).hasMessageContaining("'s1:x'");
    assertThatThrownBy(() -> QueueAddress.parse("redis-sentinel://s1:1,:2/m")).hasMessageContaining("no host");
  }

  @Test
  void jobsGoThroughTheSentinelsMasterAndSurviveAFailover() throws Exception {
    ShapesModel.write(modelDir, ShapesOptions.defaults().withImageSize(SIZE));
    try (Generator generator = Generator.open(modelDir, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS);
        RedisServer master = RedisServer.start();
        RedisServer replica = RedisServer.replicaOf(master);
        RedisServer sentinel = RedisServer.sentinel(master, MASTER);
        RedisCommands sentinelCli = new RedisCommands(QueueAddress.parse(sentinel.url()), 2)) {
      awaitReplica(sentinelCli);
      QueueAddress address = QueueAddress.parse("redis-sentinel://127.0.0.1:" + sentinel.port() + "/" + MASTER);
      QueueSettings settings = QueueSettings.DEFAULTS.withReclaimIdle(Duration.ofSeconds(1))
          .withHeartbeat(Duration.ofMillis(200));
      try (JobQueue api = JobQueues.connect(address, settings); JobQueue workers = JobQueues.connect(address, settings)) {
        workers.startWorker(Map.of(MODEL, generator), "cpu");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (api.workers().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        long t0 = System.nanoTime();
        // One job through the sentinel's master.
        GenerationRequest first = request(1000);
        assertThat(api.generate(MODEL, first, ProgressListener.NONE, new CancellationToken(), Duration.ofSeconds(60))
            .images().getFirst().image()).isEqualTo(generator.generate(first).images().getFirst().image());

        int wave = 12;
        int jobs = 2 * wave; // one wave before the failover and one sent right after it, while it runs
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger refusedRetried = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> all = new ArrayList<>();
        try {
          for (int i = 0; i < jobs; i++) {
            if (i == wave) {
              while (answered.get() < 2) {
                Thread.sleep(10);
              }
              failover(sentinelCli);
            }
            GenerationRequest r = request(i);
            RgbImage expected = generator.generate(r).images().getFirst().image();
            all.add(clients.submit(() -> {
              for (int attempt = 0; attempt < 400; attempt++) {
                GenerationResult g;
                try {
                  g = api.generate(MODEL, r, ProgressListener.NONE, new CancellationToken(), Duration.ofSeconds(90));
                } catch (QueueException.Unavailable | QueueException.NoWorker e) {
                  refusedRetried.incrementAndGet(); // refused before acceptance (a 503): the client retries
                  Thread.sleep(100);
                  continue;
                }
                accepted.incrementAndGet();
                if (g.images().getFirst().image().equals(expected)) {
                  answered.incrementAndGet();
                } else {
                  wrong.incrementAndGet();
                }
                return null;
              }
              throw new AssertionError("refused 400 times");
            }));
          }
          for (Future<?> f : all) {
            f.get(3, TimeUnit.MINUTES);
          }
        } finally {
          clients.shutdownNow();
        }
        // SENTINEL FAILOVER answers before the promotion: on a quick machine every job may be answered first
        long promotedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sentinelCli.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER).get(1).toInteger() != replica.port()
            && System.nanoTime() < promotedBy) {
          Thread.sleep(100);
        }
        Response now = sentinelCli.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER);
        System.out.printf("RedisSentinelTest: failover mid-run: jobs %d, accepted %d, answered %d (right picture), "
            + "wrong %d, lost %d, refused before acceptance and retried %d; master now on port %s (was %d); %d ms%n",
            jobs, accepted.get(), answered.get(), wrong.get(), accepted.get() - answered.get() - wrong.get(),
            refusedRetried.get(), now.get(1), master.port(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertThat(now.get(1).toInteger()).as("the replica was promoted").isEqualTo(replica.port());
        assertThat(accepted.get()).isEqualTo(jobs);
        assertThat(answered.get()).isEqualTo(jobs);
        assertThat(wrong.get()).isZero();
        // And jobs go on through the new master.
        GenerationRequest after = request(2000);
        assertThat(api.generate(MODEL, after, ProgressListener.NONE, new CancellationToken(), Duration.ofSeconds(60))
            .images().getFirst().image()).isEqualTo(generator.generate(after).images().getFirst().image());
      }
    }
  }

  /**
   * {@code SENTINEL FAILOVER}, repeated while the sentinel refuses it for a passing reason (a replica
   * not yet judged suitable: {@code NOGOODSLAVE}; a failover in progress: {@code INPROG}), at most 30 s.
   */
  private static void failover(RedisCommands sentinelCli) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        assertThat(sentinelCli.call("SENTINEL", "FAILOVER", MASTER).toString()).isEqualTo("OK");
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline || !String.valueOf(e.getMessage()).matches("(?s).*(NOGOODSLAVE|INPROG).*")) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private static GenerationRequest request(long seed) {
    return new GenerationRequest.TextToImage("a red circle", "",
        GenerationSettings.builder().size(SIZE, SIZE).steps(10).seed(seed).build());
  }

  /** Waits (at most 20 s) until the sentinel knows a replica in sync. */
  private static void awaitReplica(RedisCommands sentinel) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      Response replicas = sentinel.call("SENTINEL", "REPLICAS", MASTER);
      if (replicas.size() > 0 && RedisJobQueue.fields(replicas.get(0)).getOrDefault("flags", "").equals("slave")
          && "ok".equals(RedisJobQueue.fields(replicas.get(0)).get("master-link-status"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the sentinel found no replica in sync");
  }
}
