package io.github.ldm4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.model.CondStage;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelComponentsTest {

  private final List<String> closed = new ArrayList<>();

  private FirstStage firstStage(RuntimeException failure) {
    return new FirstStage() {
      @Override
      public int latentChannels() {
        return 4;
      }

      @Override
      public int downsamplingFactor() {
        return 8;
      }

      @Override
      public double scaleFactor() {
        return 0.18215;
      }

      @Override
      public boolean canEncode() {
        return false;
      }

      @Override
      public LatentDistribution encode(Tensor image) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Tensor decode(Tensor latent) {
        return latent;
      }

      @Override
      public void close() {
        closed.add("first");
        if (failure != null) {
          throw failure;
        }
      }
    };
  }

  private CondStage condStage(RuntimeException failure) {
    return new CondStage() {
      @Override
      public Tensor getLearnedConditioning(List<String> prompts) {
        return Tensor.zeros(1, 1, 1);
      }

      @Override
      public void close() {
        closed.add("cond");
        if (failure != null) {
          throw failure;
        }
      }
    };
  }

  private Denoiser denoiser(RuntimeException failure) {
    return new Denoiser() {
      @Override
      public Parameterization parameterization() {
        return Parameterization.EPS;
      }

      @Override
      public ConditioningKey conditioningKey() {
        return ConditioningKey.NONE;
      }

      @Override
      public int latentChannels() {
        return 4;
      }

      @Override
      public Tensor applyModel(Tensor x, Tensor t, Conditioning conditioning) {
        return x;
      }

      @Override
      public void close() {
        closed.add("denoiser");
        if (failure != null) {
          throw failure;
        }
      }
    };
  }

  @Test
  void closesEachComponentOnceDenoiserFirst() {
    ModelComponents c = new ModelComponents(firstStage(null), condStage(null), denoiser(null), DiffusionSchedule.stableDiffusionV1());
    assertThat(c.isClosed()).isFalse();
    c.close();
    c.close();
    assertThat(closed).containsExactly("denoiser", "cond", "first");
    assertThat(c.isClosed()).isTrue();
  }

  @Test
  void closesEverythingEvenWhenOneFailsAndReportsTheFirstFailure() {
    ModelComponents c = new ModelComponents(
        firstStage(new IllegalStateException("vae broke")),
        condStage(null),
        denoiser(new IllegalStateException("unet broke")),
        DiffusionSchedule.stableDiffusionV1());
    assertThatThrownBy(c::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("closing model components failed: unet broke")
        .satisfies(e -> assertThat(e.getSuppressed()).singleElement().extracting(Throwable::getMessage).isEqualTo("vae broke"));
    assertThat(closed).containsExactly("denoiser", "cond", "first");
    c.close();
    assertThat(closed).hasSize(3);
  }

  @Test
  void nullComponentsAreNamed() {
    assertThatThrownBy(() -> new ModelComponents(null, condStage(null), denoiser(null), DiffusionSchedule.stableDiffusionV1()))
        .hasMessage("firstStage");
  }
}
