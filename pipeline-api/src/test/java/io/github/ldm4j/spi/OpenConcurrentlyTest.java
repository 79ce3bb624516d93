package io.github.ldm4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.contract.TensorPort;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link NetworkSet#openConcurrently}: all at once, all or nothing, the first failure in order. */
class OpenConcurrentlyTest {

  private static final List<ModelComponent> THREE =
      List.of(ModelComponent.TEXT_ENCODER, ModelComponent.UNET, ModelComponent.VAE_DECODER);

  /** A network that counts its closes. */
  private static final class Counted implements Network {
    final ModelComponent component;
    final AtomicInteger closes = new AtomicInteger();

    Counted(ModelComponent component) {
      this.component = component;
    }

    @Override
    public ModelComponent component() {
      return component;
    }

    @Override
    public Map<String, TensorPort> inputs() {
      return Map.of();
    }

    @Override
    public Map<String, TensorPort> outputs() {
      return Map.of();
    }

    @Override
    public java.nio.file.Path file() {
      return java.nio.file.Path.of(component.folderName(), "model.onnx");
    }

    @Override
    public List<io.github.ldm4j.tensor.Tensor> run(Map<String, Feed> feeds, List<String> outputs) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  @Test
  void theNetworksOpenAtTheSameTime() throws IOException {
    // each open waits until all three are inside their open: one at a time would time out
    CyclicBarrier together = new CyclicBarrier(THREE.size());
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try (NetworkSet set = NetworkSet.openConcurrently(THREE, c -> {
      try {
        together.await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IOException("not opened together: " + e, e);
      }
      threads.add(Thread.currentThread().getName());
      return new Counted(c);
    })) {
      assertThat(set.networks()).containsOnlyKeys(THREE);
      assertThat(threads).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("ldm4j-open-"));
    }
  }

  @Test
  void aFailureClosesTheOpenedOnesAndTheFirstInOrderIsThrown() {
    Map<ModelComponent, Counted> made = new ConcurrentHashMap<>();
    assertThatThrownBy(() -> NetworkSet.openConcurrently(THREE, c -> {
      if (c == ModelComponent.UNET) {
        throw new IOException("unet is corrupt");
      }
      if (c == ModelComponent.VAE_DECODER) {
        throw new IllegalArgumentException("vae decoder has no provider");
      }
      Counted n = new Counted(c);
      made.put(c, n);
      return n;
    })).isInstanceOf(IOException.class).hasMessage("unet is corrupt")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
            .containsExactly("vae decoder has no provider"));
    assertThat(made).containsOnlyKeys(ModelComponent.TEXT_ENCODER);
    assertThat(made.get(ModelComponent.TEXT_ENCODER).closes).hasValue(1);
  }

  @Test
  void anInterruptWaitsForTheOpensThenClosesThemAll() {
    Map<ModelComponent, Counted> made = new ConcurrentHashMap<>();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> NetworkSet.openConcurrently(THREE, c -> {
        Counted n = new Counted(c);
        made.put(c, n);
        return n;
      })).isInstanceOf(java.io.InterruptedIOException.class);
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
    assertThat(made.values()).allSatisfy(n -> assertThat(n.closes).hasValue(1));
  }

  @Test
  void oneComponentOpensOnTheCallersThread() throws IOException {
    Thread caller = Thread.currentThread();
    try (NetworkSet set = NetworkSet.openConcurrently(List.of(ModelComponent.UNET), c -> {
      assertThat(Thread.currentThread()).isSameAs(caller);
      return new Counted(c);
    })) {
      assertThat(set.networks()).containsOnlyKeys(ModelComponent.UNET);
    }
  }
}
