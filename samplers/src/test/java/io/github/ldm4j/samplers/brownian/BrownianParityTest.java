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
 * BrownianTree}) and NumPy 1.24 ({@code SeedSequence}) on torch 1.13 CPU with {@code
 * ATEN_CPU_CAPABILITY=default}.
 *
 * <p>Why that setting: k-diffusion's {@code dpmpp_sde} queries the tree at σ = exp(−(−log σ)) computed
 * in float32, and PyTorch's AVX2 kernels round some exp/log results differently from the scalar ones
 * (σ = 5.474130630 comes back as 5.474130630 under AVX2 and as 5.474130154, the correctly rounded
 * exp of the float32 log, under {@code default}). The tree rounds query times to 6 decimals, so the
 * query moves and that step's noise changes: the same k-diffusion commit on the same torch gives final
 * latents 3.7e-4 (of max |x|) apart between the two dispatch levels in one case, so no implementation
 * can match "k-diffusion" within 1e-5 on every CPU. ldm4j computes correctly rounded float32 exp/log,
 * as PyTorch's portable kernels do. Every case is held to 1e-5 of the portable run, and to 1e-5 of the
 * AVX2 run wherever the two runs agree within 1e-5 (all but that one case, pinned by {@link
 * #referencesDisagreeOnlyOnTheKnownCase}); the tree and the noise calls are bit for bit the AVX2 run's.
 */
class BrownianParityTest {

  /** Tolerance relative to the largest reference value, as the issue asks. */
  static final double RELATIVE = 1e-5;

  /** The references run with PyTorch's dispatch on this machine (AVX2): trees and noise bit for bit. */
  static final JsonNode FIXTURE = load("/brownian/brownian.json");

  /** The same script under {@code ATEN_CPU_CAPABILITY=default} (PyTorch's portable kernels). */
  static final JsonNode PORTABLE = load("/brownian/brownian-default.json");

  static JsonNode load(String resource) {
    try (InputStream in = BrownianParityTest.class.getResourceAsStream(resource)) {
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

  /** The portable run's case of the same index (its own σs: PyTorch's pow also rounds by dispatch level). */
  static JsonNode portable(JsonNode c) {
    int index = nodes("samplers").toList().indexOf(c);
    assertThat(index).isNotNegative();
    return PORTABLE.get("samplers").get(index);
  }

  static double samplerError(JsonNode c) {
    SamplerOptions options = SamplerOptions.DEFAULTS.withEta(c.get("eta").asDouble());
    float[] got = Samplers.create(c.get("sampler").asText(), options).sample(run(c)).toArray();
    float[] want = floats(c.get("x_final"));
    return maxDiff(got, want) / maxAbs(want);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("samplerCases")
  void samplerMatchesKDiffusion(JsonNode c) {
    double err = samplerError(portable(c));
    double errAvx2 = samplerError(c);
    System.out.printf("%s %s %s eta=%s: max |diff| / max |ref| = %.3g (AVX2 run: %.3g)%n",
        c.get("sampler").asText(), c.get("shape"), c.get("seeding").asText(), c.get("eta"), err, errAvx2);
    assertThat(err).isLessThanOrEqualTo(RELATIVE);
    if (!isKnownCase(c)) {
      assertThat(errAvx2).isLessThanOrEqualTo(RELATIVE);
    }
  }

  /** The case where PyTorch's AVX2 exp moves a tree query (see the class javadoc). */
  static boolean isKnownCase(JsonNode c) {
    return describe(c).equals("dpmpp_sde [2,4,4,4] per_image 10 steps");
  }

  static String describe(JsonNode c) {
    return c.get("sampler").asText() + " " + c.get("shape") + " " + c.get("seeding").asText() + " "
        + (c.get("sigmas").size() - 1) + " steps";
  }

  /** The two PyTorch runs of the same k-diffusion code differ beyond 1e-5 in exactly the known case. */
  @Test
  void referencesDisagreeOnlyOnTheKnownCase() {
    List<String> disagree = new ArrayList<>();
    List<JsonNode> cases = nodes("samplers").toList();
    assertThat(PORTABLE.get("samplers")).hasSize(cases.size());
    for (JsonNode c : cases) {
      float[] avx2 = floats(c.get("x_final"));
      float[] portable = floats(portable(c).get("x_final"));
      if (maxDiff(avx2, portable) / maxAbs(portable) > RELATIVE) {
        disagree.add(describe(c));
      }
    }
    assertThat(disagree).containsExactly("dpmpp_sde [2,4,4,4] per_image 10 steps");
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
