package io.github.ldm4j.pipeline;

import io.github.ldm4j.model.CondStage;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.UNet;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testsupport.PointMass;
import java.util.List;
import java.util.Optional;

/**
 * Exact in-memory components for end-to-end tests: a linear patch autoencoder, a prompt table as
 * cond stage, and UNets that are the exact denoisers of a point mass chosen by the conditioning.
 */
final class InMemoryModel {

  private InMemoryModel() {}

  /** Downsampling factor of the patch autoencoder. */
  static final int F = 2;
  /** Latent channels: 3 colour channels × F × F pixels. */
  static final int C = 3 * F * F;
  /** Encoder gain: latent = GAIN·pixel. */
  static final double GAIN = 2;
  /** The first stage's own scale factor; scaled latents are 0.5·pixel, inside clip_denoised's [−1, 1]. */
  static final double SCALE = 0.25;

  static final List<String> PROMPTS = List.of("a red square", "a blue circle");

  /** The image that "draws" prompt {@code id}: [1, 3, 8, 8] in [−0.95, 0.95]. */
  static Tensor image(int id) {
    Tensor t = Tensor.zeros(1, 3, 8, 8);
    for (int i = 0; i < t.size(); i++) {
      t.set(i, (float) (0.95 * Math.sin(0.7 * i + 1.3 * id + 0.2)));
    }
    return t;
  }

  /** Exact space-to-depth encoder (times GAIN) and its inverse. */
  static final class PatchFirstStage implements FirstStage {
    private final boolean withLogVariance;
    private final boolean canEncode;
    int closes;

    PatchFirstStage(boolean withLogVariance, boolean canEncode) {
      this.withLogVariance = withLogVariance;
      this.canEncode = canEncode;
    }

    @Override
    public int latentChannels() {
      return C;
    }

    @Override
    public int downsamplingFactor() {
      return F;
    }

    @Override
    public double scaleFactor() {
      return SCALE;
    }

    @Override
    public boolean canEncode() {
      return canEncode;
    }

    @Override
    public LatentDistribution encode(Tensor image) {
      int b = image.dim(0);
      int h = image.dim(2) / F;
      int w = image.dim(3) / F;
      Tensor z = Tensor.zeros(b, C, h, w);
      for (int n = 0; n < b; n++) {
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < h * F; y++) {
            for (int x = 0; x < w * F; x++) {
              int lc = c * F * F + (y % F) * F + (x % F);
              z.set(z.flatIndex(n, lc, y / F, x / F), (float) (GAIN * image.at(n, c, y, x)));
            }
          }
        }
      }
      // A log-variance of −60 clamps to −30 (std e^−15 ≈ 3e−7): the sampling path runs, nearly exactly.
      return withLogVariance
          ? new LatentDistribution(z, Optional.of(Tensor.full(z.shape(), -60f)))
          : LatentDistribution.deterministic(z);
    }

    @Override
    public Tensor decode(Tensor latent) {
      int b = latent.dim(0);
      int h = latent.dim(2);
      int w = latent.dim(3);
      Tensor img = Tensor.zeros(b, 3, h * F, w * F);
      for (int n = 0; n < b; n++) {
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < h * F; y++) {
            for (int x = 0; x < w * F; x++) {
              int lc = c * F * F + (y % F) * F + (x % F);
              img.set(img.flatIndex(n, c, y, x), (float) (latent.at(n, lc, y / F, x / F) / GAIN));
            }
          }
        }
      }
      return img;
    }

    @Override
    public void close() {
      closes++;
    }
  }

  /** Prompts to fixed contexts [B, 2, 3]: context[b, 0, 0] is the prompt's id, [b, 0, 1] an offset. */
  static final class PromptTable implements CondStage {
    private final float offset;

    PromptTable(float offset) {
      this.offset = offset;
    }

    @Override
    public Tensor getLearnedConditioning(List<String> prompts) {
      Tensor c = Tensor.zeros(prompts.size(), 2, 3);
      for (int b = 0; b < prompts.size(); b++) {
        int id = PROMPTS.indexOf(prompts.get(b));
        if (id < 0) {
          throw new IllegalArgumentException("unknown prompt '" + prompts.get(b) + "'");
        }
        c.set(c.flatIndex(b, 0, 0), id);
        c.set(c.flatIndex(b, 0, 1), offset);
      }
      return c;
    }
  }

  /**
   * The exact denoiser of a point mass per batch item: x* = target latent of the prompt id in the
   * context (crossattn), the concatenated channels (concat), or both plus the context's offset (hybrid).
   */
  static class PointMassUNet implements UNet {
    private final ConditioningKey key;
    private final Parameterization parameterization;
    private final DiffusionSchedule schedule;
    private final List<Tensor> targets;

    PointMassUNet(ConditioningKey key, Parameterization parameterization, DiffusionSchedule schedule, List<Tensor> targets) {
      this.key = key;
      this.parameterization = parameterization;
      this.schedule = schedule;
      this.targets = targets;
    }

    @Override
    public ConditioningKey conditioningKey() {
      return key;
    }

    @Override
    public Parameterization parameterization() {
      return parameterization;
    }

    @Override
    public int inChannels() {
      return key == ConditioningKey.CONCAT || key == ConditioningKey.HYBRID ? 2 * C : C;
    }

    @Override
    public int outChannels() {
      return C;
    }

    @Override
    public Tensor forward(Tensor sample, Tensor timesteps, Optional<Tensor> context) {
      int b = sample.dim(0);
      int hw = sample.dim(2) * sample.dim(3);
      int stride = C * hw;
      Tensor xt = Tensor.zeros(b, C, sample.dim(2), sample.dim(3));
      Tensor xStar = Tensor.zeros(xt.shape());
      for (int n = 0; n < b; n++) {
        int in = n * sample.shape().strideOfFirstAxis();
        int item = n;
        float offset = context.map(c -> c.at(item, 0, 1)).orElse(0f);
        for (int i = 0; i < stride; i++) {
          xt.set(n * stride + i, sample.get(in + i));
          float star = switch (key) {
            case CROSSATTN -> targets.get(Math.round(context.orElseThrow().at(n, 0, 0))).get(i);
            case CONCAT, HYBRID -> sample.get(in + stride + i) + offset;
            case NONE -> targets.get(0).get(i);
          };
          xStar.set(n * stride + i, star);
        }
      }
      Tensor out = Tensor.zeros(xt.shape());
      for (int n = 0; n < b; n++) {
        PointMass.exactInto(parameterization, xt, xStar, schedule.alphaBarAt(timesteps.get(n)), out, n * stride, (n + 1) * stride);
      }
      return out;
    }
  }
}
