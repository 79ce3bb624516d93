package io.github.ldm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.testsupport.SeededCases;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Property-style checks over seeded random cases (see {@link SeededCases}). */
class TensorPropertiesTest {

  private static final int CASES = 200;

  private static Tensor filled(SplittableRandom r, int... dims) {
    Shape s = Shape.of(dims);
    float[] v = new float[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 4 - 2);
    }
    return Tensor.of(s, v);
  }

  @Test
  void concatAlongAxisZeroThenBatchesGivesThePartsBack() {
    SplittableRandom r = SeededCases.random("concatAlongAxisZeroThenBatchesGivesThePartsBack");
    for (int k = 0; k < CASES; k++) {
      int b1 = r.nextInt(1, 5);
      int b2 = r.nextInt(1, 5);
      Tensor p = filled(r, b1, r.nextInt(1, 6), r.nextInt(1, 6));
      Tensor q = filled(r, p.shape().withDim(0, b2).dims());
      Tensor joined = Tensor.concat(0, p, q);
      assertThat(joined.batches(0, b1).toArray()).as("case %d", k).containsExactly(p.toArray());
      assertThat(joined.batches(b1, b1 + b2).toArray()).as("case %d", k).containsExactly(q.toArray());
    }
  }

  @Test
  void concatAlongAnyAxisPreservesEveryElement() {
    SplittableRandom r = SeededCases.random("concatAlongAnyAxisPreservesEveryElement");
    for (int k = 0; k < CASES; k++) {
      int[] d = {r.nextInt(1, 5), r.nextInt(1, 5), r.nextInt(1, 5)};
      int axis = r.nextInt(3);
      Tensor p = filled(r, d);
      Tensor q = filled(r, p.shape().withDim(axis, r.nextInt(1, 4)).dims());
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
            assertThat(joined.at(idx)).as("case %d at %s", k, java.util.Arrays.toString(idx)).isEqualTo(want);
          }
        }
      }
    }
  }

  @Test
  void lincombMatchesItsDefinitionAndSetLincomb() {
    SplittableRandom r = SeededCases.random("lincombMatchesItsDefinitionAndSetLincomb");
    for (int k = 0; k < CASES; k++) {
      double a = r.nextDouble(-3, 3);
      double b = r.nextDouble(-3, 3);
      double c = r.nextDouble(-3, 3);
      int n = r.nextInt(1, 71);
      Tensor x = filled(r, n);
      Tensor y = filled(r, n);
      Tensor z = filled(r, n);
      Tensor two = Tensor.lincomb(a, x, b, y);
      Tensor three = Tensor.lincomb(a, x, b, y, c, z);
      for (int i = 0; i < n; i++) {
        assertThat(two.get(i)).as("case %d, element %d", k, i).isEqualTo((float) (a * x.get(i) + b * y.get(i)));
        assertThat(three.get(i)).as("case %d, element %d", k, i).isEqualTo((float) (a * x.get(i) + b * y.get(i) + c * z.get(i)));
      }
      assertThat(Tensor.zeros(n).setLincomb(a, x, b, y).toArray()).containsExactly(two.toArray());
      assertThat(x.copy().setLincomb(a, x, b, y, c, z).toArray()).containsExactly(three.toArray());
    }
  }
}
