package io.github.ldm4j.random;

import static io.github.ldm4j.random.Floats.assertExact;
import static io.github.ldm4j.random.Floats.head;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.github.ldm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link NumpyRandomState} against NumPy's legacy {@code RandomState}.
 *
 * <p>Sources: "facts §6" is docs/reference-facts.md §6; "numpy 2.4.6" values were printed with
 * {@code repr} by NumPy 2.4.6 (full float64 precision). The double stream must agree to within
 * 1 ulp of double (the only freedom is the last bit of ln and √); tensors hold those values
 * rounded to float32, compared exactly.
 */
class NumpyRandomStateTest {

  private static void assertDoubles(NumpyRandomState rs, double... expected) {
    for (int i = 0; i < expected.length; i++) {
      double got = rs.standardNormal();
      assertThat(got).as("draw %d", i).isCloseTo(expected[i], offset(Math.ulp(expected[i])));
    }
  }

  @Test
  void seed42MatchesFacts() {
    // facts §6: RandomState(42).randn(1,4,64,64) starts with these (full double precision).
    assertDoubles(new NumpyRandomState(42), 0.4967141530112327, -0.13826430117118466, 0.6476885381006925, 1.5230298564080254);
  }

  @Test
  void sdLatentTensorSeed42() {
    Tensor t = new NumpyRandomState(42).randn(1, 4, 64, 64);
    assertExact(head(t, 4), new double[] {0.4967141530112327, -0.13826430117118466, 0.6476885381006925, 1.5230298564080254});
    // numpy 2.4.6: elements 4, 5, 1000, 16383 and the float64 sum of the float32-cast tensor.
    float[] got = {t.get(4), t.get(5), t.get(1000), t.get(16383)};
    assertExact(got, new double[] {-0.23415337472333597, -0.23413695694918055, 1.3993554365860021, 0.2710342528612446});
    assertThat(t.sum()).isCloseTo(24.037667005701223, offset(1e-9));
  }

  @Test
  void seed0() {
    // numpy 2.4.6: RandomState(0).randn(5).
    assertDoubles(new NumpyRandomState(0), 1.764052345967664, 0.4001572083672233, 0.9787379841057392, 2.240893199201458, 1.8675579901499675);
  }

  @Test
  void cachedGaussCarriesAcrossCalls() {
    // numpy 2.4.6: rs = RandomState(7); rs.randn(3); rs.randn(1); rs.randn(2).
    NumpyRandomState rs = new NumpyRandomState(7);
    assertExact(rs.randn(3).toArray(), new double[] {1.690525703800356, -0.4659373705408328, 0.0328201636785844});
    assertExact(rs.randn(1).toArray(), new double[] {0.40751628299650783});
    assertExact(rs.randn(2).toArray(), new double[] {-0.7889230286257386, 0.00206557290594813});
  }

  @Test
  void uniformsAndTheGaussCacheAreIndependent() {
    // numpy 2.4.6: RandomState(1).random_sample(3).
    NumpyRandomState one = new NumpyRandomState(1);
    assertThat(one.randomSample()).isEqualTo(0.417022004702574);
    assertThat(one.randomSample()).isEqualTo(0.7203244934421581);
    assertThat(one.randomSample()).isEqualTo(0.00011437481734488664);
    // numpy 2.4.6: rs = RandomState(123); rs.standard_normal(); rs.randn(); rs.random_sample();
    // rs.randn(2): the second normal is the cached one, the uniform does not disturb the cache.
    NumpyRandomState rs = new NumpyRandomState(123);
    assertDoubles(rs, -1.0856306033005612, 0.9973454465835858);
    assertThat(rs.randomSample()).isEqualTo(0.2268514535642031);
    assertDoubles(rs, 1.7383701332168267, 0.4064540971499301);
  }

  @Test
  void largestSeed() {
    // numpy 2.4.6: RandomState(2**32 - 1).randn(3).
    NumpyRandomState rs = new NumpyRandomState(NumpyRandomState.MAX_SEED);
    assertThat(rs.seed()).isEqualTo(4294967295L);
    assertDoubles(rs, 0.6484086742306527, 0.6693235306338161, -1.0805437227474493);
  }

  @ParameterizedTest
  @ValueSource(longs = {-1L, 1L << 32, Long.MIN_VALUE, Long.MAX_VALUE})
  void seedsOutsideTheUnsigned32BitRangeAreRejected(long seed) {
    assertThatThrownBy(() -> new NumpyRandomState(seed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 0 and 2**32 - 1")
        .hasMessageContaining(Long.toString(seed));
  }

  @Test
  void deterministicAndSeedSensitive() {
    assertThat(new NumpyRandomState(99).randn(257).toArray()).containsExactly(new NumpyRandomState(99).randn(257).toArray());
    assertThat(new NumpyRandomState(100).randn(8).toArray()).isNotEqualTo(new NumpyRandomState(99).randn(8).toArray());
  }

  @Test
  void isStandardNormal() {
    TorchGeneratorTest.assertStandardNormal(new NumpyRandomState(2718).randn(1_000_000).toArray());
  }
}
