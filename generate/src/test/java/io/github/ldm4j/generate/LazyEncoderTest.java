package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.backend.onnx.OnnxBackendProvider;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.BackendProvider;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, lever 1: a generator opens only what a request needs. Text-to-image never opens the VAE
 * encoder (the ONNX backend is never asked for it); the first img2img opens it once, however many
 * run at once; closing the generator closes it. The images themselves are pinned by {@code
 * GoldenGenerationsTest} (its img2img and inpainting goldens run through the lazily opened encoder).
 */
class LazyEncoderTest {

  @TempDir static Path dir;
  static Path model;

  @BeforeAll
  static void writeModel() {
    model = SdModel.write(dir.resolve("tiny"), SdOptions.tiny()).root();
  }

  /** The real ONNX backend, recording which components each open asks for. */
  record Counting(OnnxBackendProvider delegate, List<ModelComponent> opened) implements BackendProvider {
    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public boolean isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public Set<ModelFolder.Format> formats() {
      return delegate.formats();
    }

    @Override
    public NetworkSet open(NetworkRequest request) throws IOException {
      synchronized (opened) {
        opened.addAll(request.devices().keySet());
      }
      return delegate.open(request);
    }

    @Override
    public NetworkDescription describe(ModelFolder folder, ModelComponent component, BackendOptions options)
        throws IOException {
      return delegate.describe(folder, component, options);
    }
  }

  private static GenerationSettings settings(long seed) {
    return GenerationSettings.builder().size(64, 64).steps(2).seed(seed, RngKind.TORCH).build();
  }

  private static RgbImage grey() {
    byte[] rgb = new byte[64 * 64 * 3];
    java.util.Arrays.fill(rgb, (byte) 128);
    return new RgbImage(64, 64, rgb);
  }

  @Test
  void textToImageNeverOpensTheEncoderAndImg2imgOpensItOnce() throws Exception {
    List<ModelComponent> opened = new ArrayList<>();
    Counting backend = new Counting(new OnnxBackendProvider(), opened);
    Generator g = ModelAssembler.open(model, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS, n -> backend);
    try {
      assertThat(opened).containsExactlyInAnyOrder(
          ModelComponent.TEXT_ENCODER, ModelComponent.UNET, ModelComponent.VAE_DECODER);
      g.generate(new GenerationRequest.TextToImage("a cat", "", settings(1)));
      assertThat(opened).doesNotContain(ModelComponent.VAE_ENCODER);

      ExecutorService pool = Executors.newFixedThreadPool(3);
      CountDownLatch go = new CountDownLatch(1);
      try {
        List<Future<GenerationResult>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          long seed = i;
          runs.add(pool.submit(() -> {
            go.await();
            return g.generate(new GenerationRequest.ImageToImage("a dog", "", settings(seed), grey(), 0.5));
          }));
        }
        go.countDown();
        for (Future<GenerationResult> r : runs) {
          assertThat(r.get().images()).hasSize(1);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(opened.stream().filter(c -> c == ModelComponent.VAE_ENCODER)).hasSize(1);
      g.generate(new GenerationRequest.ImageToImage("a dog", "", settings(4), grey(), 0.5));
      assertThat(opened).hasSize(4);
    } finally {
      g.close();
      g.close();
    }
  }

  @Test
  void theLazilyOpenedEncoderEncodesAsAnEagerOneWould() throws Exception {
    // the same img2img twice: once with the encoder opened by the request, once after it was opened
    // (by the first request): identical bytes, so opening on demand changes nothing in the output
    try (Generator g = Generator.open(model, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      GenerationRequest r = new GenerationRequest.ImageToImage("a dog", "", settings(9), grey(), 0.6);
      byte[] first = g.generate(r).images().getFirst().png();
      byte[] second = g.generate(r).images().getFirst().png();
      assertThat(second).isEqualTo(first);
    }
  }
}
