package io.github.ldm4j.reference.training;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Where the training timesteps of {@code p_losses} come from: one integer in [0, T) per batch
 * item, as CompVis draws {@code torch.randint(0, num_timesteps, (B,))}.
 */
@FunctionalInterface
public interface TimestepDraw {

  /**
   * {@code batchSize} timesteps, each in [0, {@code numTimesteps}).
   *
   * @param batchSize number of batch items
   * @param numTimesteps T
   */
  int[] draw(int batchSize, int numTimesteps);

  /** Independent uniform timesteps from {@code random}. */
  static TimestepDraw uniform(RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    return (b, n) -> {
      int[] t = new int[b];
      for (int i = 0; i < b; i++) {
        t[i] = random.nextInt(n);
      }
      return t;
    };
  }
}
