package io.github.ldm4j.spi;

import io.github.ldm4j.model.CondStage;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;

/** Service types and providers registered under src/test/resources/META-INF/services. */
public final class TestServices {

  private TestServices() {}

  /** A test-only service type with two providers named "one" and "two". */
  public interface Gizmo {
    /** The name. */
    String name();
  }

  /** Provider "one". */
  public static final class GizmoOne implements Gizmo {
    @Override
    public String name() {
      return "One";
    }
  }

  /** Provider "two". */
  public static final class GizmoTwo implements Gizmo {
    @Override
    public String name() {
      return "two";
    }
  }

  /** A test-only service type whose two providers claim the same name. */
  public interface Widget {
    /** The name. */
    String name();
  }

  /** "alpha". */
  public static final class WidgetAlpha implements Widget {
    @Override
    public String name() {
      return "alpha";
    }
  }

  /** Also "alpha", in another case. */
  public static final class WidgetAlphaAgain implements Widget {
    @Override
    public String name() {
      return "ALPHA";
    }
  }

  /** A test-only service type nobody provides. */
  public interface Gadget {
    /** The name. */
    String name();
  }

  /** A backend that is available and opens in-memory stub components. */
  public static final class AvailableBackend implements BackendProvider {
    @Override
    public String name() {
      return "test-memory";
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public ModelComponents open(ModelSource source, BackendOptions options) {
      FirstStage fs = new FirstStage() {
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
          return Tensor.zeros(latent.dim(0), 3, latent.dim(2) * 8, latent.dim(3) * 8);
        }
      };
      CondStage cs = (List<String> prompts) -> Tensor.zeros(prompts.size(), 77, 768);
      Denoiser d = Denoiser.of(new io.github.ldm4j.model.UNet() {
        @Override
        public io.github.ldm4j.model.ConditioningKey conditioningKey() {
          return io.github.ldm4j.model.ConditioningKey.CROSSATTN;
        }

        @Override
        public io.github.ldm4j.model.Parameterization parameterization() {
          return io.github.ldm4j.model.Parameterization.EPS;
        }

        @Override
        public int inChannels() {
          return 4;
        }

        @Override
        public int outChannels() {
          return 4;
        }

        @Override
        public Tensor forward(Tensor sample, Tensor timesteps, java.util.Optional<Tensor> context) {
          return Tensor.zeros(sample.shape());
        }
      });
      return new ModelComponents(fs, cs, d, DiffusionSchedule.stableDiffusionV1());
    }
  }

  /** A backend whose runtime is missing. */
  public static final class UnavailableBackend implements BackendProvider {
    @Override
    public String name() {
      return "test-missing";
    }

    @Override
    public boolean isAvailable() {
      return false;
    }

    @Override
    public String unavailableReason() {
      return "install the test runtime";
    }

    @Override
    public ModelComponents open(ModelSource source, BackendOptions options) {
      throw new IllegalStateException("not available");
    }
  }
}
