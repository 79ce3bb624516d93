package io.github.ldm4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.tensor.Tensor;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DiffusionWrapperTest {

  /** A network that returns its first outChannels input channels plus t, and counts closes. */
  static final class FakeUNet implements UNet {
    final ConditioningKey key;
    final int in;
    final int out;
    final AtomicInteger closes = new AtomicInteger();
    Tensor lastSample;
    Optional<Tensor> lastContext;
    boolean wrongOutput;

    FakeUNet(ConditioningKey key, int in, int out) {
      this.key = key;
      this.in = in;
      this.out = out;
    }

    @Override
    public ConditioningKey conditioningKey() {
      return key;
    }

    @Override
    public Parameterization parameterization() {
      return Parameterization.V;
    }

    @Override
    public int inChannels() {
      return in;
    }

    @Override
    public int outChannels() {
      return out;
    }

    @Override
    public Tensor forward(Tensor sample, Tensor timesteps, Optional<Tensor> context) {
      lastSample = sample;
      lastContext = context;
      int b = sample.dim(0);
      int h = sample.dim(2);
      int w = sample.dim(3);
      Tensor r = Tensor.zeros(b, wrongOutput ? out + 1 : out, h, w);
      for (int n = 0; n < b; n++) {
        for (int c = 0; c < Math.min(out, r.dim(1)); c++) {
          for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
              r.set(r.flatIndex(n, c, i, j), sample.at(n, c, i, j) + timesteps.get(n));
            }
          }
        }
      }
      return r;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  @Test
  void routesConditioningAndReportsTheNetworksContract() {
    FakeUNet net = new FakeUNet(ConditioningKey.HYBRID, 6, 4);
    Denoiser d = Denoiser.of(net);
    assertThat(d.parameterization()).isEqualTo(Parameterization.V);
    assertThat(d.conditioningKey()).isEqualTo(ConditioningKey.HYBRID);
    assertThat(d.latentChannels()).isEqualTo(4);
    Tensor x = Tensor.full(io.github.ldm4j.tensor.Shape.of(1, 4, 2, 2), 1f);
    Tensor ctx = Tensor.zeros(1, 3, 8);
    Tensor out = d.applyModel(x, Tensor.of(new float[] {10}, 1), Conditioning.hybrid(ctx, Tensor.zeros(1, 2, 2, 2)));
    assertThat(net.lastSample.shape().dims()).containsExactly(1, 6, 2, 2);
    assertThat(net.lastContext).containsSame(ctx);
    assertThat(out.shape()).isEqualTo(x.shape());
    assertThat(out.get(0)).isEqualTo(11f);
  }

  @Test
  void shapeErrorsAreClear() {
    FakeUNet net = new FakeUNet(ConditioningKey.CONCAT, 5, 4);
    Denoiser d = Denoiser.of(net);
    Tensor x = Tensor.zeros(2, 4, 2, 2);
    Tensor t = Tensor.zeros(2);
    assertThatThrownBy(() -> d.applyModel(Tensor.zeros(2, 3, 2, 2), t, Conditioning.concat(Tensor.zeros(2, 1, 2, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("x must be [B, 4, h, w], got shape [2, 3, 2, 2]");
    assertThatThrownBy(() -> d.applyModel(x, Tensor.zeros(3), Conditioning.concat(Tensor.zeros(2, 1, 2, 2))))
        .hasMessage("t must be [B] with B = 2, got shape [3]");
    assertThatThrownBy(() -> d.applyModel(x, t, Conditioning.concat(Tensor.zeros(2, 2, 2, 2))))
        .hasMessageContaining("network takes 5 input channels but routing produced 6");
    assertThatThrownBy(() -> d.applyModel(x, t, Conditioning.none()))
        .hasMessageContaining("cannot take 'none' conditioning");
    net.wrongOutput = true;
    assertThatThrownBy(() -> d.applyModel(x, t, Conditioning.concat(Tensor.zeros(2, 1, 2, 2))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("network returned shape [2, 5, 2, 2] for latent [2, 4, 2, 2]");
  }

  @Test
  void closeIsIdempotentAndClosesTheNetworkOnce() {
    FakeUNet net = new FakeUNet(ConditioningKey.NONE, 4, 4);
    Denoiser d = Denoiser.of(net);
    d.close();
    d.close();
    assertThat(net.closes).hasValue(1);
    assertThatThrownBy(() -> d.applyModel(Tensor.zeros(1, 4, 1, 1), Tensor.zeros(1), Conditioning.none()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("denoiser is closed");
  }

  @Test
  void nullArgumentsAreNamed() {
    Denoiser d = Denoiser.of(new FakeUNet(ConditioningKey.NONE, 4, 4));
    assertThatThrownBy(() -> d.applyModel(null, Tensor.zeros(1), Conditioning.none())).hasMessage("x");
    assertThatThrownBy(() -> Denoiser.of(null)).hasMessage("network");
  }
}
