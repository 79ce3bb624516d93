package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.Objects;

/**
 * A layer normalization over the last axis, as {@code torch.nn.LayerNorm(d, eps)} computes it:
 * y = (x − mean) / √(var + ε) · weight + bias, with the biased (population) variance of each
 * length-d row. Used for CLIP skip, where a hidden state from before the text encoder's final layer
 * norm goes through that norm (A1111 {@code CLIP_stop_at_last_layers}).
 *
 * @param weight the scale γ, length d
 * @param bias the shift β, length d
 * @param epsilon ε added to the variance (1e-5 for CLIP)
 */
public record LayerNorm(float[] weight, float[] bias, double epsilon) {

  /** Validates and copies. */
  public LayerNorm {
    Objects.requireNonNull(weight, "weight");
    Objects.requireNonNull(bias, "bias");
    if (weight.length == 0 || weight.length != bias.length) {
      throw new IllegalArgumentException(
          "layer norm weight and bias must have the same non-zero length, got "
              + weight.length + " and " + bias.length);
    }
    if (!(epsilon > 0) || !Double.isFinite(epsilon)) {
      throw new IllegalArgumentException("layer norm epsilon must be finite and > 0, got " + epsilon);
    }
    weight = weight.clone();
    bias = bias.clone();
  }

  /** Width d of the normalized axis. */
  public int width() {
    return weight.length;
  }

  /** A copy of γ. */
  @Override
  public float[] weight() {
    return weight.clone();
  }

  /** A copy of β. */
  @Override
  public float[] bias() {
    return bias.clone();
  }

  /**
   * Normalizes every row along the last axis of {@code x} (any rank ≥ 1, last dimension d) into a
   * new tensor; statistics in double, each output rounded to float once.
   *
   * @throws IllegalArgumentException when the last dimension of {@code x} is not d
   */
  public Tensor apply(Tensor x) {
    Objects.requireNonNull(x, "x");
    int d = weight.length;
    if (x.rank() < 1 || x.dim(-1) != d) {
      throw new IllegalArgumentException(
          "layer norm of width " + d + " cannot normalize a tensor of shape " + x.shape());
    }
    Tensor out = Tensor.zeros(x.shape());
    int rows = x.size() / d;
    for (int r = 0; r < rows; r++) {
      int base = r * d;
      double mean = 0;
      for (int j = 0; j < d; j++) {
        mean += x.get(base + j);
      }
      mean /= d;
      double var = 0;
      for (int j = 0; j < d; j++) {
        double c = x.get(base + j) - mean;
        var += c * c;
      }
      var /= d;
      double inv = 1.0 / Math.sqrt(var + epsilon);
      for (int j = 0; j < d; j++) {
        out.set(base + j, (float) ((x.get(base + j) - mean) * inv * weight[j] + bias[j]));
      }
    }
    return out;
  }
}
