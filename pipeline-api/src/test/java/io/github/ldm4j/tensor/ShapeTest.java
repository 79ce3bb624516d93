package io.github.ldm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShapeTest {

  @Test
  void basicQueries() {
    Shape s = Shape.of(2, 4, 64, 64);
    assertThat(s.rank()).isEqualTo(4);
    assertThat(s.size()).isEqualTo(32768);
    assertThat(s.dim(0)).isEqualTo(2);
    assertThat(s.dim(-1)).isEqualTo(64);
    assertThat(s.dim(-4)).isEqualTo(2);
    assertThat(s.strideOfFirstAxis()).isEqualTo(4 * 64 * 64);
    assertThat(s.toLongArray()).containsExactly(2L, 4L, 64L, 64L);
    assertThat(s).hasToString("[2, 4, 64, 64]");
  }

  @Test
  void rankZeroHasOneElement() {
    Shape s = Shape.of();
    assertThat(s.rank()).isZero();
    assertThat(s.size()).isEqualTo(1);
    assertThat(s.strideOfFirstAxis()).isEqualTo(1);
    assertThat(s.toLongArray()).isEmpty();
  }

  @Test
  void isImmutable() {
    int[] dims = {3, 5};
    Shape s = new Shape(dims);
    dims[0] = 7;
    assertThat(s.dim(0)).isEqualTo(3);
    s.dims()[1] = 9;
    assertThat(s.dim(1)).isEqualTo(5);
  }

  @Test
  void withDimReplacesOneAxis() {
    Shape s = Shape.of(1, 4, 8);
    assertThat(s.withDim(0, 2)).isEqualTo(Shape.of(2, 4, 8));
    assertThat(s.withDim(-1, 3)).isEqualTo(Shape.of(1, 4, 3));
    assertThat(s).isEqualTo(Shape.of(1, 4, 8));
    assertThatThrownBy(() -> s.withDim(1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 1 is 0");
  }

  @Test
  void valueEquality() {
    assertThat(Shape.of(2, 3)).isEqualTo(new Shape(new int[] {2, 3})).hasSameHashCodeAs(Shape.of(2, 3));
    assertThat(Shape.of(2, 3)).isNotEqualTo(Shape.of(3, 2)).isNotEqualTo(Shape.of(2, 3, 1));
  }

  @Test
  void rejectsBadDimensions() {
    assertThatThrownBy(() -> new Shape(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be null");
    assertThatThrownBy(() -> Shape.of(2, 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shape [2, 0, 3]: dimension 1 is 0, expected >= 1");
    assertThatThrownBy(() -> Shape.of(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 0 is -1");
    assertThatThrownBy(() -> Shape.of(65536, 65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than " + Integer.MAX_VALUE + " elements");
  }

  @Test
  void axisOutOfRangeIsNamed() {
    Shape s = Shape.of(2, 3);
    assertThatThrownBy(() -> s.dim(2)).isInstanceOf(IllegalArgumentException.class).hasMessage("axis 2 out of range for shape [2, 3]");
    assertThatThrownBy(() -> s.dim(-3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("axis -3");
  }
}
