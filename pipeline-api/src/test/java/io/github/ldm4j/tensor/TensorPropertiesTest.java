package io.github.ldm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class TensorPropertiesTest {

  private static Tensor filled(int seed, int... dims) {
    Shape s = Shape.of(dims);
    float[] v = new float[s.size()];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 4 - 2);
    }
    return Tensor.of(s, v);
  }

  @Property(tries = 200)
  void concatAlongAxisZeroThenBatchesGivesThePartsBack(
      @ForAll @IntRange(min = 1, max = 4) int b1,
      @ForAll @IntRange(min = 1, max = 4) int b2,
      @ForAll @IntRange(min = 1, max = 5) int c,
      @ForAll @IntRange(min = 1, max = 5) int w,
      @ForAll int seed) {
    Tensor p = filled(seed, b1, c, w);
    Tensor q = filled(seed + 1, b2, c, w);
    Tensor joined = Tensor.concat(0, p, q);
    assertThat(joined.batches(0, b1).toArray()).containsExactly(p.toArray());
    assertThat(joined.batches(b1, b1 + b2).toArray()).containsExactly(q.toArray());
  }

  @Property(tries = 200)
  void concatAlongAnyAxisPreservesEveryElement(
      @ForAll @Size(value = 3) java.util.List<@IntRange(min = 1, max = 4) Integer> dims,
      @ForAll @IntRange(min = 0, max = 2) int axis,
      @ForAll @IntRange(min = 1, max = 3) int extra,
      @ForAll int seed) {
    int[] d = dims.stream().mapToInt(Integer::intValue).toArray();
    Tensor p = filled(seed, d);
    int[] e = d.clone();
    e[axis] = extra;
    Tensor q = filled(seed + 7, e);
    Tensor joined = Tensor.concat(axis, p, q);
    int[] idx = new int[3];
    for (idx[0] = 0; idx[0] < joined.dim(0); idx[0]++) {
      for (idx[1] = 0; idx[1] < joined.dim(1); idx[1]++) {
        for (idx[2] = 0; idx[2] < joined.dim(2); idx[2]++) {
          float want;
          if (idx[axis] < d[axis]) {
            want = p.at(idx);
          } else {
            int[] j = idx.clone();
            j[axis] -= d[axis];
            want = q.at(j);
          }
          assertThat(joined.at(idx)).isEqualTo(want);
        }
      }
    }
  }

  @Property(tries = 200)
  void lincombMatchesItsDefinitionAndSetLincomb(
      @ForAll @DoubleRange(min = -3, max = 3) double a,
      @ForAll @DoubleRange(min = -3, max = 3) double b,
      @ForAll @DoubleRange(min = -3, max = 3) double c,
      @ForAll @IntRange(min = 1, max = 70) int n,
      @ForAll int seed) {
    Tensor x = filled(seed, n);
    Tensor y = filled(seed + 1, n);
    Tensor z = filled(seed + 2, n);
    Tensor two = Tensor.lincomb(a, x, b, y);
    Tensor three = Tensor.lincomb(a, x, b, y, c, z);
    for (int i = 0; i < n; i++) {
      assertThat(two.get(i)).isEqualTo((float) (a * x.get(i) + b * y.get(i)));
      assertThat(three.get(i)).isEqualTo((float) (a * x.get(i) + b * y.get(i) + c * z.get(i)));
    }
    assertThat(Tensor.zeros(n).setLincomb(a, x, b, y).toArray()).containsExactly(two.toArray());
    assertThat(x.copy().setLincomb(a, x, b, y, c, z).toArray()).containsExactly(three.toArray());
  }
}
