package io.github.ldm4j.quarkus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline cache's contract on values that record their opening and closing: single flight,
 * LRU bounded by count and size, reference counting, waiting for room, failures shared by the
 * waiters. (The real pipelines go through it in the deployment module's {@code ModelLibraryApiTest}.)
 */
class PipelineCacheTest {

  /** A value that counts its closes. */
  static final class Value implements AutoCloseable {
    final String key;
    final AtomicInteger closes = new AtomicInteger();

    Value(String key) {
      this.key = key;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  private final Map<String, AtomicInteger> prepares = new ConcurrentHashMap<>();
  private final Map<String, List<Value>> opened = new ConcurrentHashMap<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  private PipelineCache<String, Value> cache(int max, long maxBytes, long bytesEach, CountDownLatch gate) {
    return new PipelineCache<>(max, maxBytes, key -> {
      prepares.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      if (gate != null) {
        gate.await();
      }
      if (key.startsWith("bad")) {
        throw new IOException("cannot convert " + key);
      }
      return new PipelineCache.Prepared<>() {
        @Override
        public long bytes() {
          return bytesEach;
        }

        @Override
        public Value open() {
          Value v = new Value(key);
          opened.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
          return v;
        }
      };
    });
  }

  @Test
  void concurrentRequestsForOneKeyShareOneLoad() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    PipelineCache<String, Value> c = cache(2, Long.MAX_VALUE, 1, gate);
    List<Future<PipelineCache<String, Value>.Lease>> leases = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      leases.add(pool.submit(() -> c.acquire("a", WAIT)));
    }
    Thread.sleep(100); // all eight wait for the one load
    gate.countDown();
    Value first = leases.getFirst().get(10, TimeUnit.SECONDS).value();
    for (var f : leases) {
      assertThat(f.get(10, TimeUnit.SECONDS).value()).isSameAs(first);
    }
    assertThat(prepares.get("a")).hasValue(1);
    assertThat(c.loads()).isEqualTo(1);
  }

  @Test
  void alternatingKeysThatFitAreNotReloaded() throws Exception {
    PipelineCache<String, Value> c = cache(2, Long.MAX_VALUE, 1, null);
    for (int i = 0; i < 6; i++) {
      try (var l = c.acquire(i % 2 == 0 ? "a" : "b", WAIT)) {
        assertThat(l.value().key).isEqualTo(i % 2 == 0 ? "a" : "b");
      }
    }
    assertThat(c.loads()).isEqualTo(2);
    assertThat(opened.get("a").getFirst().closes).hasValue(0);
  }

  @Test
  void theLeastRecentlyUsedIdleValueIsClosedToMakeRoom() throws Exception {
    PipelineCache<String, Value> c = cache(2, Long.MAX_VALUE, 1, null);
    c.acquire("a", WAIT).close();
    c.acquire("b", WAIT).close();
    c.acquire("a", WAIT).close(); // a is now the most recent
    c.acquire("c", WAIT).close();
    assertThat(c.keys()).containsExactly("a", "c");
    assertThat(opened.get("b").getFirst().closes).hasValue(1);
    assertThat(opened.get("a").getFirst().closes).hasValue(0);
  }

  @Test
  void theSizeBoundCountsBytes() throws Exception {
    PipelineCache<String, Value> c = cache(10, 250, 100, null);
    c.acquire("a", WAIT).close();
    c.acquire("b", WAIT).close();
    c.acquire("c", WAIT).close(); // 300 > 250: a goes
    assertThat(c.keys()).containsExactly("b", "c");
    assertThat(opened.get("a").getFirst().closes).hasValue(1);
  }

  @Test
  void oneValueLargerThanTheBoundIsStillServed() throws Exception {
    PipelineCache<String, Value> c = cache(1, 10, 100, null);
    try (var l = c.acquire("a", WAIT)) {
      assertThat(l.value().key).isEqualTo("a");
    }
  }

  @Test
  void aValueInUseIsNeverClosedAndALoadForAnotherWaitsForItsRelease() throws Exception {
    PipelineCache<String, Value> c = cache(1, Long.MAX_VALUE, 1, null);
    var a = c.acquire("a", WAIT);
    Future<PipelineCache<String, Value>.Lease> b = pool.submit(() -> c.acquire("b", WAIT));
    Thread.sleep(200);
    assertThat(b).isNotDone();
    assertThat(opened.get("a").getFirst().closes).hasValue(0);
    a.close();
    try (var lb = b.get(10, TimeUnit.SECONDS)) {
      assertThat(lb.value().key).isEqualTo("b");
    }
    assertThat(opened.get("a").getFirst().closes).hasValue(1);
  }

  @Test
  void waitingForRoomEndsAtTheTimeout() throws Exception {
    PipelineCache<String, Value> c = cache(1, Long.MAX_VALUE, 1, null);
    try (var a = c.acquire("a", WAIT)) {
      assertThatThrownBy(() -> c.acquire("b", Duration.ofMillis(200))).isInstanceOf(TimeoutException.class)
          .hasMessageContaining("in use");
    }
    try (var b = c.acquire("b", WAIT)) { // the failed load left nothing behind
      assertThat(b.value().key).isEqualTo("b");
    }
  }

  @Test
  void aDroppedValueInUseIsClosedAtItsLastRelease() throws Exception {
    PipelineCache<String, Value> c = cache(2, Long.MAX_VALUE, 1, null);
    var l1 = c.acquire("a", WAIT);
    var l2 = c.acquire("a", WAIT);
    c.close();
    Value a = opened.get("a").getFirst();
    assertThat(a.closes).hasValue(0);
    l1.close();
    l1.close(); // idempotent: one release
    assertThat(a.closes).hasValue(0);
    l2.close();
    assertThat(a.closes).hasValue(1);
    assertThatThrownBy(() -> c.acquire("a", WAIT)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFailedLoadFailsEveryWaiterAndIsRetriedLater() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    PipelineCache<String, Value> c = cache(2, Long.MAX_VALUE, 1, gate);
    List<Future<PipelineCache<String, Value>.Lease>> leases = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      leases.add(pool.submit(() -> c.acquire("bad", WAIT)));
    }
    Thread.sleep(100);
    gate.countDown();
    for (var f : leases) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(PipelineCache.LoadException.class)
          .hasMessageContaining("cannot convert bad");
    }
    assertThat(prepares.get("bad")).hasValue(1);
    assertThatThrownBy(() -> c.acquire("bad", WAIT)).isInstanceOf(PipelineCache.LoadException.class);
    assertThat(prepares.get("bad")).hasValue(2);
    assertThat(c.keys()).isEmpty();
  }
}
