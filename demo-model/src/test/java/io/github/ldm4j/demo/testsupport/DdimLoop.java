package io.github.ldm4j.demo.testsupport;

import ai.onnxruntime.OrtException;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.schedule.DiffusionSchedule;
import java.util.Random;

/**
 * Test helper: a plain deterministic DDIM sampler (η = 0) with CompVis "uniform" timesteps
 * (range(0, 1000, 1000/S) + 1; reference facts §2), optional classifier-free guidance, over a
 * UNet run through ONNX Runtime.
 */
public final class DdimLoop {

  private static final DiffusionSchedule SCHEDULE = DiffusionSchedule.stableDiffusionV1();

  private DdimLoop() {
  }

  /** CompVis DDIM timesteps for {@code steps} steps, increasing. */
  public static int[] timesteps(int steps) {
    int stride = 1000 / steps;
    int[] ts = new int[steps];
    for (int i = 0; i < steps; i++) {
      ts[i] = i * stride + 1;
    }
    return ts;
  }

  /** Standard normal noise [n] from a seeded java.util.Random. */
  public static float[] noise(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /**
   * Runs DDIM from {@code x} (modified in place and returned).
   *
   * @param x initial noise [B, 4, l, l]
   * @param extra channels appended to x at every UNet call (inpainting m ‖ c, [B, 5, l, l]), or null
   * @param cond conditioning [B, L, W]
   * @param uncond unconditional conditioning [B, L, W] when guidance != 1, else null
   */
  public static float[] run(OrtFolder m, Parameterization pred, float[] x, int batch, int l, float[] extra,
      float[] cond, long[] condShape, float[] uncond, double guidance, int steps) throws OrtException {
    int[] ts = timesteps(steps);
    int per = 4 * l * l;
    for (int i = steps - 1; i >= 0; i--) {
      int t = ts[i];
      double ab = SCHEDULE.alphaBar(t);
      double abPrev = i > 0 ? SCHEDULE.alphaBar(ts[i - 1]) : SCHEDULE.alphaBar(0);
      float[] in = withExtra(x, extra, batch, l);
      long[] inShape = {batch, extra == null ? 4 : 9, l, l};
      float[] eps = toEps(pred, m.unet(in, inShape, t, cond, condShape).data(), x, ab);
      if (uncond != null) {
        float[] epsU = toEps(pred, m.unet(in, inShape, t, uncond, condShape).data(), x, ab);
        for (int j = 0; j < eps.length; j++) {
          eps[j] = (float) (epsU[j] + guidance * (eps[j] - epsU[j]));
        }
      }
      for (int j = 0; j < batch * per; j++) {
        double x0 = (x[j] - Math.sqrt(1 - ab) * eps[j]) / Math.sqrt(ab);
        x[j] = (float) (Math.sqrt(abPrev) * x0 + Math.sqrt(1 - abPrev) * eps[j]);
      }
    }
    return x;
  }

  /** ε implied by a model output of parameterization {@code pred} at x_t. */
  public static float[] toEps(Parameterization pred, float[] out, float[] xt, double ab) {
    float[] eps = new float[out.length];
    double sa = Math.sqrt(ab);
    double s1 = Math.sqrt(1 - ab);
    for (int j = 0; j < out.length; j++) {
      eps[j] = (float) switch (pred) {
        case EPS -> out[j];
        case X0 -> (xt[j] - sa * out[j]) / s1;
        case V -> sa * out[j] + s1 * xt[j];
      };
    }
    return eps;
  }

  private static float[] withExtra(float[] x, float[] extra, int batch, int l) {
    if (extra == null) {
      return x;
    }
    int per = l * l;
    float[] in = new float[batch * 9 * per];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(x, b * 4 * per, in, b * 9 * per, 4 * per);
      System.arraycopy(extra, b * 5 * per, in, b * 9 * per + 4 * per, 5 * per);
    }
    return in;
  }
}
