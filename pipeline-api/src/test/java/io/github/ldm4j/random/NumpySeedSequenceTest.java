package io.github.ldm4j.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Golden words from NumPy 1.24.2: {@code numpy.random.SeedSequence(e, spawn_key=k, pool_size=p).generate_state(n)}.
 * More cases (multi-word entropy, spawn keys) run in the samplers' BrownianParityTest.
 */
class NumpySeedSequenceTest {

  static long[] words(NumpySeedSequence s, int n) {
    return IntStream.of(s.generateState(n)).mapToLong(Integer::toUnsignedLong).toArray();
  }

  @Test
  void torchsdeRootSeeds() {
    // SeedSequence(42, pool_size=24).generate_state(3)
    assertThat(words(new NumpySeedSequence(42, new long[0], 24), 3)).containsExactly(387750627L, 2536650517L, 4078839648L);
  }

  @Test
  void spawnKeysPadTheEntropyToThePool() {
    // SeedSequence(42, spawn_key=(1, 1), pool_size=24).generate_state(4)
    assertThat(words(new NumpySeedSequence(42, new long[] {1, 1}, 24), 4))
        .containsExactly(1058881542L, 1039740124L, 2218853409L, 2234354429L);
  }

  @Test
  void wordsBeyondThePoolAreMixedIn() {
    // SeedSequence(2**40 + 5, spawn_key=(2**33, 3), pool_size=4).generate_state(4)
    NumpySeedSequence s = new NumpySeedSequence(BigInteger.TWO.pow(40).add(BigInteger.valueOf(5)),
        List.of(BigInteger.TWO.pow(33), BigInteger.valueOf(3)), 4);
    assertThat(words(s, 4)).containsExactly(3943401726L, 3113573178L, 375588543L, 3306514466L);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThatThrownBy(() -> new NumpySeedSequence(-1, new long[0], 4)).hasMessageContaining("non-negative");
    assertThatThrownBy(() -> new NumpySeedSequence(1, new long[0], 3)).hasMessageContaining("pool size");
  }
}
