package io.github.ldm4j.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationTokenTest {

  @Test
  void firstReasonWinsAndListenersRunOnce() {
    CancellationToken t = new CancellationToken();
    List<String> seen = new ArrayList<>();
    t.onCancel(() -> seen.add("a:" + t.reason().orElseThrow()));
    t.onCancel(() -> seen.add("b"));
    assertThat(t.isCancelled()).isFalse();
    assertThat(t.reason()).isEmpty();
    t.cancel("disconnect");
    t.cancel("timeout");
    assertThat(seen).containsExactly("a:disconnect", "b");
    assertThat(t.reason()).contains("disconnect");
    assertThatThrownBy(t::throwIfCancelled).isInstanceOf(CancellationException.class).hasMessage("disconnect");
  }

  @Test
  void listenerOnACancelledTokenRunsAtOnce() {
    CancellationToken t = new CancellationToken();
    t.cancel(null);
    AtomicInteger runs = new AtomicInteger();
    t.onCancel(runs::incrementAndGet);
    assertThat(runs).hasValue(1);
    assertThat(t.reason()).contains("cancelled");
  }

  @Test
  void failingListenerDoesNotStopTheOthers() {
    CancellationToken t = new CancellationToken();
    AtomicInteger runs = new AtomicInteger();
    t.onCancel(() -> {
      throw new IllegalStateException("boom");
    });
    t.onCancel(runs::incrementAndGet);
    assertThatThrownBy(() -> t.cancel("x")).hasMessage("boom");
    assertThat(runs).hasValue(1);
    assertThat(t.isCancelled()).isTrue();
  }

  @Test
  void concurrentRegistrationAndCancelRunEachListenerExactlyOnce() throws Exception {
    for (int round = 0; round < 200; round++) {
      CancellationToken t = new CancellationToken();
      AtomicInteger runs = new AtomicInteger();
      Thread registrar = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 50; i++) {
          t.onCancel(runs::incrementAndGet);
        }
      });
      t.cancel("race");
      registrar.join();
      assertThat(runs).hasValue(50);
    }
  }
}
