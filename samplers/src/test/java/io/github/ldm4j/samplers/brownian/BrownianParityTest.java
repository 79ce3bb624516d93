package io.github.ldm4j.samplers.brownian;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.BrownianTree;
import io.github.ldm4j.random.NumpySeedSequence;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.random.TorchGenerator;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.SamplerOptions;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.SdeNoise;
import io.github.ldm4j.sampler.StepListener;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.samplers.internal.SdeNoiseSampler;
import io.github.ldm4j.samplers.internal.SigmaRun;
import io.github.ldm4j.samplers.testing.AnalyticModel;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The SDE samplers' default Brownian-tree noise against k-diffusion and torchsde themselves: {@code
 * brownian/brownian.json} was written by {@code src/test/python/brownian/gen_brownian.py} running
 * k-diffusion 4601bf0 ({@code sample_dpmpp_sde}, {@code sample_dpmpp_2m_sde}, {@code
 * sample_dpmpp_3m_sde} with {@code BrownianTreeNoiseSampler}), torchsde eb3a00e ({@code
 * BrownianTree}) and NumPy 1.24 ({@code SeedSequence}) on torch 1.13 CPU.
 */
class BrownianParityTest {

  /** Tolerance relative to the largest reference value, as the issue asks. */
  static final double RELATIVE = 1e-5;

  /**
   * The one known deviation: {@code dpmpp_sde} queries the tree at σ = exp(−(−log σ<sub>i</sub>)) and at
   * the λ-midpoint, computed by k-diffusion with float32 0-d tensors, where PyTorch's CPU exp/log are
   * not correctly rounded (SLEEF; about 8 % of values differ by 1 ulp from the correctly rounded
   * ones ldm4j computes). In this case torch gives 5.474130630 for σ<sub>2</sub> = 5.474130630 where
   * ldm4j gets 5.474130154; the tree rounds times to 6 decimals, so the query moves by 1e-6 and that
   * step's noise by ~1e-3. Measured 5.7e-5 of max |reference|; the tree itself is bit-exact (see
   * {@link #noiseSamplerMatchesKDiffusionCalls}).
   */
  static final double DPMPP_SDE_ULP_CASE = 1e-4;

  static final JsonNode FIXTURE = load();

  static JsonNode load() {
    try (InputStream in = BrownianParityTest.class.getResourceAsStream("/brownian/brownian.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Stream<JsonNode> nodes(String key) {
    return StreamSupport.stream(FIXTURE.get(key).spliterator(), false);
  }

  static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  static Shape shape(JsonNode array) {
    return Shape.of(IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray());
  }

  static double maxAbs(float[] v) {
    double m = 0;
    for (float f : v) {
      m = Math.max(m, Math.abs(f));
    }
    return m;
  }

  static double maxDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  @Test
  void seedSequenceMatchesNumpy() {
    List<JsonNode> cases = nodes("seed_sequences").toList();
    assertThat(cases).hasSize(7);
    for (JsonNode c : cases) {
      List<BigInteger> spawn = new ArrayList<>();
      c.get("spawn_key").forEach(k -> spawn.add(new BigInteger(k.asText())));
      int[] state = new NumpySeedSequence(new BigInteger(c.get("entropy").asText()), spawn, c.get("pool_size").asInt())
          .generateState(c.get("state").size());
      long[] got = IntStream.of(state).mapToLong(Integer::toUnsignedLong).toArray();
      long[] want = StreamSupport.stream(c.get("state").spliterator(), false).mapToLong(JsonNode::asLong).toArray();
      assertThat(got).as("SeedSequence(%s, spawn_key=%s)", c.get("entropy"), c.get("spawn_key")).containsExactly(want);
    }
  }

  @Test
  void treeIncrementsMatchTorchsdeBitForBit() {
    int queries = 0;
    for (JsonNode c : nodes("trees").toList()) {
      BrownianTree tree = new BrownianTree(c.get("t0").asDouble(), c.get("t1").asDouble(), shape(c.get("shape")),
          c.get("entropy").asLong());
      for (JsonNode q : c.get("queries")) {
        float[] got = tree.increment(q.get("ta").asDouble(), q.get("tb").asDouble()).toArray();
        assertThat(got).as("entropy %s, [%s, %s]", c.get("entropy"), q.get("ta"), q.get("tb"))
            .containsExactly(floats(q.get("w")));
        queries++;
      }
    }
    assertThat(queries).isEqualTo(10);
  }

  static Stream<JsonNode> samplerCases() {
    return nodes("samplers");
  }

  /** The run of a fixture case: its noise drawn from the seeds as the script drew it, the analytic denoiser. */
  static SamplingRun run(JsonNode c) {
    Shape shape = shape(c.get("shape"));
    List<Long> seeds = new ArrayList<>();
    c.get("seeds").forEach(s -> seeds.add(s.asLong()));
    RandomSource rng = switch (c.get("seeding").asText()) {
      case "per_image" -> RandomSource.perItem(seeds.stream().map(TorchGenerator::new).toList());
      case "whole" -> new TorchGenerator(seeds.getFirst());
      // k-diffusion alone: the tree's entropy is what torch.randint drew after the initial noise.
      case "entropy" -> withSeeds(new TorchGenerator(seeds.getFirst()), Long.parseUnsignedLong(c.get("entropy").asText()));
      default -> throw new IllegalArgumentException(c.get("seeding").asText());
    };
    Tensor noise = rng.randn(shape);
    float[] sigmas = floats(c.get("sigmas"));
    double[] plan = new double[sigmas.length];
    for (int i = 0; i < plan.length; i++) {
      plan[i] = sigmas[i];
    }
    DiffusionSchedule schedule = DiffusionSchedule.stableDiffusionV1();
    JsonNode d = FIXTURE.get("denoiser");
    AnalyticModel model = new AnalyticModel(schedule, Parameterization.X0, d.get("mu").asDouble(), d.get("s").asDouble());
    return new SamplingRun(model, Parameterization.X0, schedule, new StepPlan.Sigmas(plan), noise, Optional.empty(), rng,
        StepListener.NONE, CancellationToken.none());
  }

  static RandomSource withSeeds(RandomSource inner, long seed) {
    return new RandomSource() {
      @Override
      public Tensor randn(Shape shape) {
        return inner.randn(shape);
      }

      @Override
      public List<Long> seeds() {
        return List.of(seed);
      }
    };
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("samplerCases")
  void samplerMatchesKDiffusion(JsonNode c) {
    SamplerOptions options = SamplerOptions.DEFAULTS.withEta(c.get("eta").asDouble());
    float[] got = Samplers.create(c.get("sampler").asText(), options).sample(run(c)).toArray();
    float[] want = floats(c.get("x_final"));
    double err = maxDiff(got, want) / maxAbs(want);
    System.out.printf("%s %s %s eta=%s: max |diff| / max |ref| = %.3g%n",
        c.get("sampler").asText(), c.get("shape"), c.get("seeding").asText(), c.get("eta"), err);
    boolean ulpCase = c.get("sampler").asText().equals("dpmpp_sde") && c.get("sigmas").size() == 11;
    assertThat(err).isLessThanOrEqualTo(ulpCase ? DPMPP_SDE_ULP_CASE : RELATIVE);
  }

  @Test
  void independentNoiseIsTheOldPerStepStream() {
    JsonNode c = FIXTURE.get("samplers").get(5);
    SamplerOptions independent = SamplerOptions.DEFAULTS.withNoise(SdeNoise.INDEPENDENT);
    float[] brownian = Samplers.create("dpmpp_2m_sde", SamplerOptions.DEFAULTS).sample(run(c)).toArray();
    float[] perStep = Samplers.create("dpmpp_2m_sde", independent).sample(run(c)).toArray();
    float[] want = floats(c.get("x_final"));
    assertThat(maxDiff(brownian, want) / maxAbs(want)).isLessThanOrEqualTo(RELATIVE);
    assertThat(maxDiff(perStep, want) / maxAbs(want)).isGreaterThan(1e-2);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("samplerCases")
  void noiseSamplerMatchesKDiffusionCalls(JsonNode c) {
    if (!c.has("noise_calls")) {
      return;
    }
    SdeNoiseSampler ns = SdeNoiseSampler.create(SigmaRun.start(run(c)), SdeNoise.BROWNIAN, "test");
    for (JsonNode call : c.get("noise_calls")) {
      float[] got = ns.between(call.get("sigma").asDouble(), call.get("sigma_next").asDouble()).toArray();
      assertThat(got).as("noise(%s, %s)", call.get("sigma"), call.get("sigma_next")).containsExactly(floats(call.get("noise")));
    }
  }
}
