package io.github.ldm4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link LazyNetwork}: opened once on first use, from any number of threads; closed once; never opened by close. */
class LazyNetworkTest {

  private final AtomicInteger opens = new AtomicInteger();
  private final List<TestServices.CopyNetwork> opened = new ArrayList<>();

  private LazyNetwork lazy() {
    return new LazyNetwork(ModelComponent.VAE_ENCODER, Path.of("vae_encoder/model.onnx"), c -> {
      opens.incrementAndGet();
      TestServices.CopyNetwork n = new TestServices.CopyNetwork(c);
      synchronized (opened) {
        opened.add(n);
      }
      return n;
    });
  }

  @Test
  void nothingIsOpenedUntilFirstUseAndClosingAnUnopenedNetworkOpensNothing() {
    LazyNetwork n = lazy();
    assertThat(n.component()).isEqualTo(ModelComponent.VAE_ENCODER);
    assertThat(n.what()).isEqualTo("vae_encoder (vae_encoder/model.onnx)");
    assertThat(n.isOpen()).isFalse();
    n.close();
    n.close();
    assertThat(opens).hasValue(0);
    assertThatThrownBy(n::inputs).isInstanceOf(IllegalStateException.class).hasMessage("vae_encoder network is closed");
    assertThat(opens).hasValue(0);
  }

  @Test
  void eightThreadsRunningAtOnceOpenItOnceAndCloseClosesItOnce() throws Exception {
    LazyNetwork n = lazy();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Float>> runs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        float v = i;
        runs.add(pool.submit(() -> {
          go.await();
          return n.run(Map.of("x", new Feed.Floats(Tensor.of(new float[] {v}, 1))), List.of("y")).getFirst().get(0);
        }));
      }
      go.countDown();
      for (int i = 0; i < 8; i++) {
        assertThat(runs.get(i).get()).isEqualTo(i);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(opens).hasValue(1);
    assertThat(n.isOpen()).isTrue();
    n.close();
    n.close();
    assertThat(opened.getFirst().closes).isEqualTo(1);
    assertThat(n.isOpen()).isFalse();
    assertThatThrownBy(() -> n.run(Map.of(), List.of())).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aFailedOpenNamesTheFileAndTheNextUseTriesAgain() {
    AtomicInteger tries = new AtomicInteger();
    LazyNetwork n = new LazyNetwork(ModelComponent.VAE_ENCODER, Path.of("vae_encoder/model.onnx"), c -> {
      if (tries.incrementAndGet() == 1) {
        throw new IOException("disk on fire");
      }
      return new TestServices.CopyNetwork(c);
    });
    assertThatThrownBy(n::outputs).isInstanceOf(UncheckedIOException.class)
        .hasMessage("cannot open vae_encoder (vae_encoder/model.onnx): disk on fire");
    assertThat(n.outputs()).containsKey("y");
    assertThat(tries).hasValue(2);
    n.close();
  }
}
