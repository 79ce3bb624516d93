package io.github.ldm4j.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RngKindTest {

  @Test
  void createMakesTheReferenceGenerator() {
    RandomSource torch = RngKind.TORCH.create(42);
    assertThat(torch).isInstanceOfSatisfying(TorchGenerator.class, g -> {
      assertThat(g.seed()).isEqualTo(42);
      assertThat(g.kernel()).isEqualTo(TorchNormalKernel.AVX2);
    });
    assertThat(torch.randn(3).toArray()).containsExactly(new TorchGenerator(42).randn(3).toArray());

    RandomSource numpy = RngKind.NUMPY.create(42);
    assertThat(numpy).isInstanceOf(NumpyRandomState.class);
    assertThat(numpy.randn(3).toArray()).containsExactly(new NumpyRandomState(42).randn(3).toArray());
  }

  @Test
  void seedRangesFollowTheReferences() {
    assertThat(RngKind.TORCH.create(-5)).isNotNull();
    assertThat(RngKind.TORCH.create(Long.MAX_VALUE)).isNotNull();
    assertThatThrownBy(() -> RngKind.NUMPY.create(-5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
    assertThatThrownBy(() -> RngKind.NUMPY.create(1L << 32)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2**32 - 1");
  }

  @Test
  void fromName() {
    assertThat(RngKind.fromName(" Torch ")).isEqualTo(RngKind.TORCH);
    assertThat(RngKind.fromName("NUMPY")).isEqualTo(RngKind.NUMPY);
    assertThatThrownBy(() -> RngKind.fromName("philox")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("philox").hasMessageContaining("torch, numpy");
    assertThatThrownBy(() -> RngKind.fromName(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
