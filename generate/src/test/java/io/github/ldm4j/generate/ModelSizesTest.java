package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.CondStage;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.FixedSize;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.UNet;
import io.github.ldm4j.schedule.BetaSchedule;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.diffusion.ScaleFactor;
import io.github.ldm4j.pipeline.LatentDiffusion;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The size check a {@link Generator} runs before any work, on fake networks with fixed declared inputs. */
class ModelSizesTest {

  private static final long NO_TILES = Long.MAX_VALUE;

  /** A UNet whose sample input is declared {@code [?, 4, h, w]}; counts forward calls. */
  static final class FixedUNet implements UNet {
    final long[] declared;
    final AtomicInteger calls = new AtomicInteger();

    FixedUNet(long... declared) {
      this.declared = declared;
    }

    @Override public ConditioningKey conditioningKey() {
      return ConditioningKey.NONE;
    }

    @Override public Parameterization parameterization() {
      return Parameterization.EPS;
    }

    @Override public int inChannels() {
      return 4;
    }

    @Override public int outChannels() {
      return 4;
    }

    @Override public Tensor forward(Tensor sample, Tensor timesteps, Optional<Tensor> context) {
      calls.incrementAndGet();
      return Tensor.zeros(sample.dim(0), 4, sample.dim(2), sample.dim(3));
    }

    @Override public Optional<FixedSize> fixedSampleSize() {
      return FixedSize.of("sample", declared);
    }
  }

  /** A first stage whose encoder input is declared {@code [?, 3, H, W]} (or dynamic). */
  record Vae(Optional<FixedSize> encoderInput) implements FirstStage {
    @Override public int latentChannels() {
      return 4;
    }

    @Override public int downsamplingFactor() {
      return 8;
    }

    @Override public double scaleFactor() {
      return 0.18215;
    }

    @Override public boolean canEncode() {
      return true;
    }

    @Override public LatentDistribution encode(Tensor image) {
      throw new AssertionError("the size check must not run the encoder");
    }

    @Override public Tensor decode(Tensor latent) {
      throw new AssertionError("the size check must not run the decoder");
    }

    @Override public Optional<FixedSize> fixedEncoderInputSize() {
      return encoderInput;
    }
  }

  private static LatentDiffusion model(UNet unet, FirstStage vae) {
    CondStage cond = prompts -> Tensor.zeros(prompts.size(), 1, 1);
    return new LatentDiffusion(vae, cond, Denoiser.of(unet),
        DiffusionSchedule.of(new BetaSchedule.Linear(0.00085, 0.012), 1000), ScaleFactor.fromFirstStage());
  }

  private static GenerationRequest txt2img(int w, int h) {
    return new GenerationRequest.TextToImage("x", "", GenerationSettings.builder().size(w, h).build());
  }

  @Test
  void aUNetFixedAt64LatentsRefuses256WithTheReason() {
    FixedUNet unet = new FixedUNet(-1, 4, 64, 64);
    LatentDiffusion m = model(unet, new Vae(Optional.empty()));
    assertThatThrownBy(() -> ModelSizes.check(m, txt2img(256, 256), NO_TILES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("this model's UNet accepts only 512x512 images (its sample input is fixed at [?, 4, 64, 64]);"
            + " got 256x256");
    assertThatCode(() -> ModelSizes.check(m, txt2img(512, 512), NO_TILES)).doesNotThrowAnyException();
    assertThat(unet.calls).hasValue(0);
  }

  @Test
  void onlyTheFixedDimensionIsChecked() {
    LatentDiffusion m = model(new FixedUNet(-1, 4, 64, -1), new Vae(Optional.empty()));
    assertThatCode(() -> ModelSizes.check(m, txt2img(768, 512), NO_TILES)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ModelSizes.check(m, txt2img(512, 768), NO_TILES))
        .hasMessageContaining("accepts only images 512 px high").hasMessageContaining("[?, 4, 64, ?]");
  }

  @Test
  void aDynamicUNetAcceptsAnySize() {
    LatentDiffusion m = model(new FixedUNet(-1, 4, -1, -1), new Vae(Optional.empty()));
    assertThat(m.denoiser().fixedSampleSize()).isEmpty();
    assertThatCode(() -> ModelSizes.check(m, txt2img(320, 192), NO_TILES)).doesNotThrowAnyException();
  }

  @Test
  void aFixedEncoderIsCheckedOnlyWhenTheRequestEncodes() {
    Vae vae = new Vae(FixedSize.of("sample", new long[] {1, 3, 512, 512}));
    LatentDiffusion m = model(new FixedUNet(-1, 4, -1, -1), vae);
    assertThatCode(() -> ModelSizes.check(m, txt2img(256, 256), NO_TILES)).doesNotThrowAnyException();
    RgbImage init = new RgbImage(256, 256, new byte[256 * 256 * 3]);
    GenerationRequest img2img = new GenerationRequest.ImageToImage(
        "x", "", GenerationSettings.builder().size(256, 256).build(), init, 0.5);
    assertThatThrownBy(() -> ModelSizes.check(m, img2img, NO_TILES))
        .hasMessage("this model's VAE encoder accepts only 512x512 images (its sample input is fixed at"
            + " [1, 3, 512, 512]); got 256x256");
  }

  @Test
  void fixedSizeOfADynamicShapeIsEmpty() {
    assertThat(FixedSize.of("sample", new long[] {-1, 4, -1, -1})).isEmpty();
    assertThat(FixedSize.of("t", new long[] {-1})).isEmpty();
    FixedSize f = FixedSize.of("sample", new long[] {2, 4, 64, 48}).orElseThrow();
    assertThat(f.accepts(64, 48)).isTrue();
    assertThat(f.accepts(48, 64)).isFalse();
    assertThat(f.describe()).isEqualTo("[2, 4, 64, 48]");
    assertThat(List.of(f.height().getAsInt(), f.width().getAsInt())).containsExactly(64, 48);
  }
}
