package io.github.ldm4j.samplers.testing;

import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;

/**
 * Replays the noise tensors a reference run drew ({@code torch.randn_like(x)} / {@code torch.randn}), in order.
 * A replay without recorded tensors serves zeros (for deterministic runs, whose draws are multiplied by 0);
 * one with recorded tensors fails when asked for more than were recorded or for another shape.
 */
public final class ReplayRandom implements RandomSource {

  private final List<Tensor> draws;
  private int next;

  public ReplayRandom(List<Tensor> draws) {
    this.draws = List.copyOf(draws);
  }

  @Override
  public Tensor randn(Shape shape) {
    if (draws.isEmpty()) {
      next++;
      return Tensor.zeros(shape);
    }
    if (next >= draws.size()) {
      throw new IllegalStateException("the reference drew only " + draws.size() + " noise tensors");
    }
    Tensor t = draws.get(next++);
    if (!t.shape().equals(shape)) {
      throw new IllegalStateException("draw " + (next - 1) + " has shape " + t.shape() + ", asked for " + shape);
    }
    return t;
  }

  /** How many tensors were asked for so far. */
  public int used() {
    return next;
  }
}
