package io.github.ldm4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TensorTest {

  /** 0, 1, 2, ... n-1 with the given dims. */
  private static Tensor iota(int... dims) {
    return iotaFrom(0, dims);
  }

  private static Tensor iotaFrom(float start, int... dims) {
    Shape s = Shape.of(dims);
    float[] v = new float[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = start + i;
    }
    return Tensor.of(s, v);
  }

  private static Tensor random(long seed, int... dims) {
    Random r = new Random(seed);
    Shape s = Shape.of(dims);
    float[] v = new float[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Tensor.of(s, v);
  }

  @Nested
  class Creation {

    @Test
    void zerosAndFull() {
      Tensor z = Tensor.zeros(2, 3);
      assertThat(z.shape()).isEqualTo(Shape.of(2, 3));
      assertThat(z.size()).isEqualTo(6);
      assertThat(z.rank()).isEqualTo(2);
      assertThat(z.toArray()).containsOnly(0f);
      assertThat(Tensor.full(Shape.of(3), 2.5f).toArray()).containsExactly(2.5f, 2.5f, 2.5f);
      assertThat(Tensor.full(Shape.of(2), -0f).toArray()).containsExactly(-0f, -0f);
    }

    @Test
    void ofCopiesTheValues() {
      float[] v = {1, 2, 3, 4, 5, 6};
      Tensor t = Tensor.of(v, 2, 3);
      v[0] = 99;
      assertThat(t.toArray()).containsExactly(1, 2, 3, 4, 5, 6);
      assertThat(t.at(1, 2)).isEqualTo(6f);
      float[] out = t.toArray();
      out[1] = 42;
      assertThat(t.get(1)).isEqualTo(2f);
    }

    @Test
    void ofChecksTheCount() {
      assertThatThrownBy(() -> Tensor.of(new float[5], 2, 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("5 values given for shape [2, 3], expected 6");
      assertThatThrownBy(() -> Tensor.of(Shape.of(2), null)).isInstanceOf(NullPointerException.class).hasMessageContaining("values");
    }

    @Test
    void rankZeroTensorHoldsOneElement() {
      Tensor t = Tensor.zeros(Shape.of());
      t.set(0, 7f);
      assertThat(t.size()).isEqualTo(1);
      assertThat(t.at()).isEqualTo(7f);
      assertThat(t.segment().byteSize()).isEqualTo(4);
    }

    @Test
    void allocationIs64ByteAlignedAndZeroed() {
      for (int n = 1; n < 40; n += 7) {
        Tensor t = Tensor.zeros(n);
        assertThat(t.segment().address() % 64).isZero();
        assertThat(t.segment().byteSize()).isEqualTo(4L * n);
        assertThat(t.toArray()).containsOnly(0f);
      }
    }

    @Test
    void copyIsDeep() {
      Tensor t = iota(2, 2);
      Tensor c = t.copy();
      c.set(0, 50);
      assertThat(t.get(0)).isZero();
      assertThat(c.shape()).isEqualTo(t.shape());
      assertThat(c.segment().address()).isNotEqualTo(t.segment().address());
    }
  }

  @Nested
  class Access {

    @Test
    void multiIndexIsRowMajor() {
      Tensor t = iota(2, 3, 4);
      assertThat(t.flatIndex(1, 2, 3)).isEqualTo(23);
      assertThat(t.flatIndex(1, 0, 2)).isEqualTo(14);
      assertThat(t.at(1, 0, 2)).isEqualTo(14f);
      assertThat(t.dim(-1)).isEqualTo(4);
    }

    @Test
    void badIndicesAreNamed() {
      Tensor t = iota(2, 3);
      assertThatThrownBy(() -> t.at(1)).isInstanceOf(IllegalArgumentException.class).hasMessage("1 indices given for a tensor of rank 2 [2, 3]");
      assertThatThrownBy(() -> t.at(1, 3)).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("index 3 on axis 1 of shape [2, 3]");
      assertThatThrownBy(() -> t.at(-1, 0)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("axis 0");
      assertThatThrownBy(() -> t.get(6)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> t.set(-1, 0f)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Nested
  class Views {

    @Test
    void reshapeSharesMemory() {
      Tensor t = iota(2, 3);
      Tensor r = t.reshape(3, 2);
      assertThat(r.shape()).isEqualTo(Shape.of(3, 2));
      assertThat(r.at(2, 1)).isEqualTo(5f);
      r.set(0, 100);
      assertThat(t.get(0)).isEqualTo(100f);
      t.set(5, -1);
      assertThat(r.at(2, 1)).isEqualTo(-1f);
      assertThatThrownBy(() -> t.reshape(4, 2))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("cannot reshape [2, 3] to [4, 2]: element counts differ");
    }

    @Test
    void batchesShareMemory() {
      Tensor t = iota(4, 2, 3);
      Tensor b = t.batches(1, 3);
      assertThat(b.shape()).isEqualTo(Shape.of(2, 2, 3));
      assertThat(b.get(0)).isEqualTo(6f);
      assertThat(b.toArray()).hasSize(12).startsWith(6, 7, 8).endsWith(17);
      b.set(0, -6);
      assertThat(t.get(6)).isEqualTo(-6f);
      Tensor last = t.batch(3);
      assertThat(last.shape()).isEqualTo(Shape.of(1, 2, 3));
      t.set(23, 1000);
      assertThat(last.get(5)).isEqualTo(1000f);
      assertThat(t.batchSize()).isEqualTo(4);
    }

    @Test
    void badBatchRanges() {
      Tensor t = iota(4, 2);
      assertThatThrownBy(() -> t.batches(2, 2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("batch range [2, 2) of 4");
      assertThatThrownBy(() -> t.batches(-1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> t.batch(4)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("[4, 5) of 4");
      assertThatThrownBy(() -> Tensor.zeros(Shape.of()).batchSize())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rank >= 1");
    }

    @Test
    void splitBatchGivesEqualViews() {
      Tensor guided = iota(4, 1, 2); // [uncond0, uncond1, cond0, cond1]
      Tensor[] halves = guided.splitBatch(2);
      assertThat(halves).hasSize(2);
      assertThat(halves[0].shape()).isEqualTo(Shape.of(2, 1, 2));
      assertThat(halves[0].toArray()).containsExactly(0, 1, 2, 3);
      assertThat(halves[1].toArray()).containsExactly(4, 5, 6, 7);
      halves[1].set(0, -4);
      assertThat(guided.get(4)).isEqualTo(-4f);
      assertThat(guided.splitBatch(4)[3].toArray()).containsExactly(6, 7);
      assertThat(guided.splitBatch(1)[0].shape()).isEqualTo(guided.shape());
      assertThatThrownBy(() -> guided.splitBatch(3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("cannot split batch of 4 into 3 equal parts");
      assertThatThrownBy(() -> guided.splitBatch(0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class Concat {

    // Rank 3: a[i][j][k] = 4i + 2j + k, shape [2, 2, 2].
    private final Tensor a = iota(2, 2, 2);

    @Test
    void rank3Axis0() {
      Tensor b = iotaFrom(100, 1, 2, 2);
      Tensor c = Tensor.concat(0, a, b);
      assertThat(c.shape()).isEqualTo(Shape.of(3, 2, 2));
      assertThat(c.toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 100, 101, 102, 103);
    }

    @Test
    void rank3Axis1() {
      Tensor b = iotaFrom(100, 2, 1, 2);
      Tensor c = Tensor.concat(1, a, b);
      assertThat(c.shape()).isEqualTo(Shape.of(2, 3, 2));
      assertThat(c.toArray()).containsExactly(0, 1, 2, 3, 100, 101, 4, 5, 6, 7, 102, 103);
    }

    @Test
    void rank3Axis2AndNegativeAxis() {
      Tensor b = iotaFrom(100, 2, 2, 1);
      float[] expected = {0, 1, 100, 2, 3, 101, 4, 5, 102, 6, 7, 103};
      assertThat(Tensor.concat(2, a, b).toArray()).containsExactly(expected);
      Tensor c = Tensor.concat(-1, a, b);
      assertThat(c.shape()).isEqualTo(Shape.of(2, 2, 3));
      assertThat(c.toArray()).containsExactly(expected);
    }

    @Test
    void rank4ChannelsAsTheConcatConditioning() {
      // Inpainting: latent [1, 2, 2, 2] ‖ mask [1, 1, 2, 2] on the channel axis.
      Tensor latent = iota(1, 2, 2, 2);
      Tensor mask = iotaFrom(50, 1, 1, 2, 2);
      Tensor c = Tensor.concat(1, latent, mask);
      assertThat(c.shape()).isEqualTo(Shape.of(1, 3, 2, 2));
      assertThat(c.toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 50, 51, 52, 53);
      // Batch 2: each batch item gets its own channels appended.
      Tensor x = iota(2, 1, 1, 2);
      Tensor cond = iotaFrom(10, 2, 2, 1, 2);
      Tensor d = Tensor.concat(1, x, cond);
      assertThat(d.shape()).isEqualTo(Shape.of(2, 3, 1, 2));
      assertThat(d.toArray()).containsExactly(0, 1, 10, 11, 12, 13, 2, 3, 14, 15, 16, 17);
    }

    @Test
    void rank4Axis0And3WithThreeParts() {
      Tensor p = iota(1, 1, 2, 2);
      Tensor q = iotaFrom(10, 2, 1, 2, 2);
      Tensor r = iotaFrom(20, 1, 1, 2, 2);
      Tensor c = Tensor.concat(0, p, q, r);
      assertThat(c.shape()).isEqualTo(Shape.of(4, 1, 2, 2));
      assertThat(c.toArray()).containsExactly(0, 1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21, 22, 23);
      Tensor w = Tensor.of(new float[] {9, 8}, 1, 1, 2, 1);
      Tensor e = Tensor.concat(3, p, w);
      assertThat(e.shape()).isEqualTo(Shape.of(1, 1, 2, 3));
      assertThat(e.toArray()).containsExactly(0, 1, 9, 2, 3, 8);
    }

    @Test
    void resultIsACopy() {
      Tensor b = iotaFrom(100, 1, 2, 2);
      Tensor c = Tensor.concat(0, a, b);
      a.set(0, -1);
      assertThat(c.get(0)).isZero();
      assertThat(Tensor.concat(0, a).toArray()).containsExactly(a.toArray());
    }

    @Test
    void mismatchesAreNamed() {
      assertThatThrownBy(() -> Tensor.concat(0)).isInstanceOf(IllegalArgumentException.class).hasMessage("concat needs at least one tensor");
      assertThatThrownBy(() -> Tensor.concat(1, a, iota(2, 1, 3)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("concat along axis 1: shape [2, 1, 3] does not match [2, 2, 2] on axis 2");
      assertThatThrownBy(() -> Tensor.concat(0, a, iota(2, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("concat: rank of [2, 2] differs from [2, 2, 2]");
      assertThatThrownBy(() -> Tensor.concat(3, a, a)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("axis 3 out of range");
    }
  }

  @Nested
  class Arithmetic {

    private final Tensor x = Tensor.of(new float[] {1, -2, 3.5f, 0.1f}, 2, 2);
    private final Tensor y = Tensor.of(new float[] {4, 0.5f, -1, 3}, 2, 2);

    @Test
    void elementWise() {
      assertThat(x.add(y).toArray()).containsExactly(5, -1.5f, 2.5f, 3.1f);
      assertThat(x.sub(y).toArray()).containsExactly(-3, -2.5f, 4.5f, (float) (0.1f - 3.0));
      assertThat(x.mul(y).toArray()).containsExactly(4, -1, -3.5f, (float) (0.1f * 3.0));
      assertThat(x.div(y).toArray()).containsExactly(0.25f, -4, -3.5f, (float) (0.1f / 3.0));
      assertThat(x.scale(-2).toArray()).containsExactly(-2, 4, -7, -0.2f);
      assertThat(x.addScalar(1).toArray()).containsExactly(2, -1, 4.5f, 1.1f);
      assertThat(x.map(v -> v * v).toArray()).containsExactly(1, 4, 12.25f, (float) (0.1f * (double) 0.1f));
      assertThat(x.zip(y, Math::max).toArray()).containsExactly(4, 0.5f, 3.5f, 3);
      // Operands are untouched.
      assertThat(x.toArray()).containsExactly(1, -2, 3.5f, 0.1f);
    }

    @Test
    void lincombIsComputedInDoubleAndRoundedOnce() {
      double a = 1.0 / 3;
      double b = -2.0 / 7;
      double c = 0.1;
      Tensor z = Tensor.of(new float[] {0.3f, 7, -0.25f, 1e-3f}, 2, 2);
      float[] two = Tensor.lincomb(a, x, b, y).toArray();
      float[] three = Tensor.lincomb(a, x, b, y, c, z).toArray();
      for (int i = 0; i < 4; i++) {
        assertThat(two[i]).isEqualTo((float) (a * x.get(i) + b * y.get(i)));
        assertThat(three[i]).isEqualTo((float) (a * x.get(i) + b * y.get(i) + c * z.get(i)));
      }
      // A value where float arithmetic would round twice: 1/3·3 + 0 in double is exactly 1.
      Tensor three1 = Tensor.of(new float[] {3}, 1);
      assertThat(Tensor.lincomb(1.0 / 3, three1, 0, three1).get(0)).isEqualTo(1f);
    }

    @Test
    void lincombOfFourAndOfManyTermsSumsInDoubleInTermOrder() {
      double[] c = {1.0 / 3, -2.0 / 7, 0.1, 1e-3, -5.0 / 9};
      Tensor z = Tensor.of(new float[] {0.3f, 7, -0.25f, 1e-3f}, 2, 2);
      Tensor w = Tensor.of(new float[] {-1e4f, 0.7f, 3, 1.5f}, 2, 2);
      Tensor v = Tensor.of(new float[] {2, -0.125f, 1e-7f, 9}, 2, 2);
      Tensor[] t = {x, y, z, w, v};
      float[] four = Tensor.lincomb(c[0], x, c[1], y, c[2], z, c[3], w).toArray();
      float[] five = Tensor.lincomb(c, t).toArray();
      for (int i = 0; i < 4; i++) {
        assertThat(four[i]).isEqualTo((float) (c[0] * x.get(i) + c[1] * y.get(i) + c[2] * z.get(i) + c[3] * w.get(i)));
        double s = 0;
        for (int k = 0; k < t.length; k++) {
          s += c[k] * t[k].get(i);
        }
        assertThat(five[i]).isEqualTo((float) s);
      }
      // One to four terms are the scale and the fixed-arity overloads, bit for bit.
      assertThat(Tensor.lincomb(new double[] {c[0]}, new Tensor[] {x}).toArray()).containsExactly(x.scale(c[0]).toArray());
      assertThat(Tensor.lincomb(new double[] {c[0], c[1]}, new Tensor[] {x, y}).toArray())
          .containsExactly(Tensor.lincomb(c[0], x, c[1], y).toArray());
      assertThat(Tensor.lincomb(new double[] {c[0], c[1], c[2]}, new Tensor[] {x, y, z}).toArray())
          .containsExactly(Tensor.lincomb(c[0], x, c[1], y, c[2], z).toArray());
      assertThat(Tensor.lincomb(new double[] {c[0], c[1], c[2], c[3]}, new Tensor[] {x, y, z, w}).toArray())
          .containsExactly(four);
      assertThatThrownBy(() -> Tensor.lincomb(new double[] {1, 2}, new Tensor[] {x}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("lincomb needs as many coefficients as terms (at least one), got 2 and 1");
      assertThatThrownBy(() -> Tensor.lincomb(new double[0], new Tensor[0])).isInstanceOf(IllegalArgumentException.class);
      Tensor other = Tensor.zeros(4);
      assertThatThrownBy(() -> Tensor.lincomb(1, x, 1, y, 1, z, 1, other)).hasMessageContaining("lincomb");
      assertThatThrownBy(() -> Tensor.lincomb(c, new Tensor[] {x, y, z, w, other})).hasMessageContaining("lincomb");
    }

    @Test
    void setLincombWritesInPlaceAndAllowsAliasing() {
      Tensor out = Tensor.zeros(2, 2);
      assertThat(out.setLincomb(2, x, 1, y)).isSameAs(out);
      assertThat(out.toArray()).containsExactly(Tensor.lincomb(2, x, 1, y).toArray());
      // x ← 0.5·x + 2·y, x aliasing the output.
      Tensor acc = x.copy();
      float[] expected = Tensor.lincomb(0.5, x, 2, y).toArray();
      acc.setLincomb(0.5, acc, 2, y);
      assertThat(acc.toArray()).containsExactly(expected);
      // 3-term with two aliases.
      Tensor z = Tensor.of(new float[] {1, 1, 1, 1}, 2, 2);
      Tensor acc3 = x.copy();
      float[] expected3 = Tensor.lincomb(1, x, -1, x, 3, z).toArray();
      acc3.setLincomb(1, acc3, -1, acc3, 3, z);
      assertThat(acc3.toArray()).containsExactly(expected3);
      assertThat(acc3.toArray()).containsExactly(3, 3, 3, 3);
    }

    @Test
    void inPlaceOperations() {
      Tensor t = x.copy();
      assertThat(t.addScaledInPlace(y, 0.5)).isSameAs(t);
      assertThat(t.toArray()).containsExactly(3, -1.75f, 3, (float) (0.1f + 1.5));
      t.scaleInPlace(2);
      assertThat(t.toArray()).containsExactly(6, -3.5f, 6, (float) (2.0 * (float) (0.1f + 1.5)));
      t.mapInPlace(Math::abs);
      assertThat(t.min()).isGreaterThan(0);
      t.fill(1.5f);
      assertThat(t.toArray()).containsOnly(1.5f);
      t.fill(0f);
      assertThat(t.toArray()).containsOnly(0f);
      t.copyFrom(y);
      assertThat(t.toArray()).containsExactly(y.toArray());
      assertThatThrownBy(() -> t.copyFrom(Tensor.zeros(4)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("copyFrom: shape [4] does not match [2, 2]");
    }

    @Test
    void perBatchCoefficients() {
      Tensor a = iota(2, 3);
      Tensor b = Tensor.full(Shape.of(2, 3), 1f);
      assertThat(a.scalePerBatch(new double[] {2, -1}).toArray()).containsExactly(0, 2, 4, -3, -4, -5);
      assertThat(Tensor.lincombPerBatch(new double[] {1, 0.5}, a, new double[] {10, -2}, b).toArray())
          .containsExactly(10, 11, 12, -0.5f, 0, 0.5f);
      assertThatThrownBy(() -> a.scalePerBatch(new double[] {1}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("1 coefficients for a batch of 2");
      assertThatThrownBy(() -> Tensor.lincombPerBatch(new double[] {1, 1}, a, new double[] {1}, b))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("lincombPerBatch: 2 and 1 coefficients for a batch of 2");
    }

    @Test
    void shapeMismatchesAreNamed() {
      Tensor other = Tensor.zeros(4);
      assertThatThrownBy(() -> Tensor.lincomb(1, x, 1, other))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("lincomb: shape [4] does not match [2, 2]");
      assertThatThrownBy(() -> Tensor.lincomb(1, x, 1, y, 1, other)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lincomb");
      assertThatThrownBy(() -> x.setLincomb(1, x, 1, other)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setLincomb");
      assertThatThrownBy(() -> x.setLincomb(1, other, 1, x, 1, x)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setLincomb");
      assertThatThrownBy(() -> x.add(other)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> x.zip(other, Double::sum)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zip");
      assertThatThrownBy(() -> x.addScaledInPlace(other, 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("addScaledInPlace");
      assertThatThrownBy(() -> x.dot(other)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dot");
      assertThatThrownBy(() -> x.requireShape("noise", Shape.of(1, 4)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("noise: expected shape [1, 4], got [2, 2]");
      assertThat(x.requireShape("noise", Shape.of(2, 2))).isSameAs(x);
    }
  }

  @Nested
  class Reductions {

    @Test
    void handValues() {
      Tensor t = iota(1, 7); // 0..6, an odd count exercises the unrolled loops' tails
      assertThat(t.sum()).isEqualTo(21);
      assertThat(t.mean()).isEqualTo(3);
      assertThat(t.variance()).isEqualTo(4); // population: (9+4+1+0+1+4+9)/7
      assertThat(t.sumOfSquares()).isEqualTo(91);
      assertThat(t.dot(Tensor.full(Shape.of(1, 7), 2f))).isEqualTo(42);
      assertThat(t.min()).isZero();
      assertThat(t.max()).isEqualTo(6f);
      assertThat(t.maxAbsDiff(t.addScalar(0.5))).isEqualTo(0.5);
      assertThat(t.meanAbsDiff(t.scale(2))).isEqualTo(3);
    }

    @Test
    void stdIsTheSampleStdTorchComputes() {
      // torch.tensor([1., 2., 3., 4.]).std() = 1.2909944487358056 (divisor n - 1).
      assertThat(Tensor.of(new float[] {1, 2, 3, 4}, 4).std()).isCloseTo(1.2909944487358056, offset(1e-15));
      // torch.arange(10.).std() = sqrt(82.5 / 9) = 3.0276503540974917.
      assertThat(iota(10).std()).isCloseTo(3.0276503540974917, offset(1e-15));
      assertThat(Tensor.of(new float[] {5}, 1).std()).isZero();
      assertThat(Tensor.full(Shape.of(3, 3), 2f).std()).isZero();
    }

    @Test
    void unrolledSumsMatchSequentialSums() {
      for (int n : new int[] {1, 2, 3, 4, 5, 8, 13, 1001}) {
        Tensor a = random(n, n);
        Tensor b = random(n + 1000, n);
        double s = 0;
        double d = 0;
        for (int i = 0; i < n; i++) {
          s += a.get(i);
          d += (double) a.get(i) * b.get(i);
        }
        assertThat(a.sum()).as("sum n=%d", n).isCloseTo(s, offset(1e-12 * n));
        assertThat(a.dot(b)).as("dot n=%d", n).isCloseTo(d, offset(1e-12 * n));
        double m = s / n;
        double v = 0;
        for (int i = 0; i < n; i++) {
          v += (a.get(i) - m) * (a.get(i) - m);
        }
        assertThat(a.variance()).as("variance n=%d", n).isCloseTo(v / n, offset(1e-12 * n));
      }
    }

    @Test
    void minMaxWithNegativesAndNaN() {
      Tensor t = Tensor.of(new float[] {-3, 2, -7, 1}, 4);
      assertThat(t.min()).isEqualTo(-7f);
      assertThat(t.max()).isEqualTo(2f);
      t.set(1, Float.NaN);
      assertThat(t.max()).isNaN();
    }
  }

  @Nested
  class Finiteness {

    @Test
    void requireFiniteNamesTheTensorIndexAndValue() {
      Tensor t = Tensor.zeros(2, 3);
      assertThat(t.allFinite()).isTrue();
      assertThat(t.requireFinite("latent")).isSameAs(t);
      t.set(5, Float.NaN);
      assertThat(t.allFinite()).isFalse();
      assertThatThrownBy(() -> t.requireFinite("latent"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("latent contains a non-finite value (NaN) at flat index 5 of shape [2, 3]");
      t.set(5, 0);
      t.set(1, Float.NEGATIVE_INFINITY);
      assertThatThrownBy(() -> t.requireFinite("eps"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("eps contains a non-finite value (-Infinity) at flat index 1 of shape [2, 3]");
    }
  }

  @Nested
  class Memory {

    @Test
    void arenaTensorIsFreedWhenTheArenaCloses() {
      Tensor t;
      Tensor view;
      try (Arena arena = Arena.ofConfined()) {
        t = Tensor.allocate(arena, Shape.of(2, 8));
        t.set(3, 1f);
        view = t.reshape(16).batches(0, 8);
        assertThat(view.get(3)).isEqualTo(1f);
      }
      assertThatThrownBy(() -> t.get(0)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> t.set(0, 1f)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(view::sum).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(t::toArray).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void allocateRejectsNulls() {
      assertThatThrownBy(() -> Tensor.allocate(null, Shape.of(1))).isInstanceOf(NullPointerException.class).hasMessageContaining("arena");
      assertThatThrownBy(() -> Tensor.allocate(Arena.ofAuto(), null)).isInstanceOf(NullPointerException.class).hasMessageContaining("shape");
    }

    @Test
    void wrapAdoptsMemoryWithoutCopying() {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment seg = arena.allocate(40, 4);
        seg.setAtIndex(ValueLayout.JAVA_FLOAT, 2, 2.5f);
        Tensor t = Tensor.wrap(seg, Shape.of(2, 4)); // 32 of the 40 bytes
        assertThat(t.segment().byteSize()).isEqualTo(32);
        assertThat(t.segment().address()).isEqualTo(seg.address());
        assertThat(t.get(2)).isEqualTo(2.5f);
        t.set(7, -1f);
        assertThat(seg.getAtIndex(ValueLayout.JAVA_FLOAT, 7)).isEqualTo(-1f);
        assertThat(seg.getAtIndex(ValueLayout.JAVA_FLOAT, 9)).isZero();
      }
    }

    @Test
    void wrapChecksTheSize() {
      MemorySegment seg = Arena.ofAuto().allocate(12);
      assertThatThrownBy(() -> Tensor.wrap(seg, Shape.of(2, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("segment of 12 bytes is too small for shape [2, 2] (16 bytes)");
      assertThat(Tensor.wrap(seg, Shape.of(3)).size()).isEqualTo(3);
      assertThatThrownBy(() -> Tensor.wrap(null, Shape.of(1))).isInstanceOf(NullPointerException.class).hasMessageContaining("segment");
      assertThatThrownBy(() -> Tensor.wrap(seg, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("shape");
    }

    @Test
    void wrapOfAHeapSegmentWorks() {
      float[] backing = {1, 2, 3, 4};
      Tensor t = Tensor.wrap(MemorySegment.ofArray(backing), Shape.of(2, 2));
      assertThat(t.sum()).isEqualTo(10);
      t.set(0, 9);
      assertThat(backing[0]).isEqualTo(9f);
    }

    @Test
    void floatBufferIsDirectNativeOrderAndZeroCopy() {
      Tensor t = iota(2, 3);
      FloatBuffer buf = t.asFloatBuffer();
      assertThat(buf.isDirect()).isTrue();
      assertThat(buf.order()).isEqualTo(ByteOrder.nativeOrder());
      assertThat(buf.capacity()).isEqualTo(6);
      assertThat(buf.get(4)).isEqualTo(4f);
      buf.put(1, -10f);
      assertThat(t.get(1)).isEqualTo(-10f);
      t.set(2, 77f);
      assertThat(buf.get(2)).isEqualTo(77f);
      // A view's buffer covers exactly the view.
      FloatBuffer second = t.batch(1).asFloatBuffer();
      assertThat(second.capacity()).isEqualTo(3);
      assertThat(second.get(0)).isEqualTo(3f);
    }
  }

  @Test
  void toStringNeverDumpsLargeTensors() {
    assertThat(iota(2, 2).toString()).isEqualTo("Tensor[2, 2][0.0, 1.0, 2.0, 3.0]");
    String big = iota(100).toString();
    assertThat(big).startsWith("Tensor[100]{mean=49.5").contains("min=0.0").contains("max=99.0").hasSizeLessThan(100);
  }
}
