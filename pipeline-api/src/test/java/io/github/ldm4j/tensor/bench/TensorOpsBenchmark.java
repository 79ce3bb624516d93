package io.github.ldm4j.tensor.bench;

import io.github.ldm4j.tensor.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The element-wise passes a sampler makes per step on a guided SD latent batch [2, 4, 64, 64]
 * (32768 floats): a two-term lincomb (e.g. x0 from eps), a three-term update (e.g. DDIM / Euler
 * ancestral x ← a·x + b·eps + c·noise), both allocating their result and in place, and the cost
 * of a fresh automatic-arena tensor alone.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TensorOpsBenchmark {

  private Tensor x;
  private Tensor eps;
  private Tensor noise;
  private Tensor out;

  /** Fills the operands with values of unit scale. */
  @Setup
  public void setUp() {
    x = random(1);
    eps = random(2);
    noise = random(3);
    out = Tensor.zeros(2, 4, 64, 64);
  }

  private static Tensor random(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Tensor t = Tensor.zeros(2, 4, 64, 64);
    for (int i = 0; i < t.size(); i++) {
      t.set(i, (float) (r.nextDouble() * 2 - 1));
    }
    return t;
  }

  /** {@code a·x + b·eps} into a new tensor. */
  @Benchmark
  public Tensor lincomb() {
    return Tensor.lincomb(1.0 / 0.9, x, -0.3, eps);
  }

  /** {@code a·x + b·eps + c·noise} into a new tensor. */
  @Benchmark
  public Tensor update3() {
    return Tensor.lincomb(0.99, x, -0.05, eps, 0.01, noise);
  }

  /** {@code a·x + b·eps} into an existing tensor. */
  @Benchmark
  public Tensor lincombInPlace() {
    return out.setLincomb(1.0 / 0.9, x, -0.3, eps);
  }

  /** {@code a·x + b·eps + c·noise} into an existing tensor. */
  @Benchmark
  public Tensor update3InPlace() {
    return out.setLincomb(0.99, x, -0.05, eps, 0.01, noise);
  }

  /** Sum in double (reductions: std for scale_by_std, statistics). */
  @Benchmark
  public double sum() {
    return x.sum();
  }

  /** A new zeroed tensor in an automatic arena, nothing else. */
  @Benchmark
  public Tensor allocate() {
    return Tensor.zeros(2, 4, 64, 64);
  }
}
