package io.github.ldm4j.random;

import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * torchsde's {@code BrownianTree(t0, torch.zeros(shape), t1, entropy=entropy)} (float32, CPU):
 * a Brownian motion W over [t0, t1] whose increments W(tb) − W(ta) depend only on the entropy and
 * the query, reproduced value for value. k-diffusion's {@code BrownianTreeNoiseSampler} (the
 * default noise of its SDE samplers, used by AUTOMATIC1111 and ComfyUI) is built on it.
 *
 * <p><b>Construction</b> (torchsde {@code BrownianInterval} with {@code tol=1e-6}, {@code
 * pool_size=24}, {@code halfway_tree=True}, no Lévy area): all times are rounded to 6 decimals
 * (Python's {@code round(t, 6)}: correctly rounded, ties to even). The whole increment is
 * W(t0, t1) = randn₀ · √(t1 − t0) with the unrounded ends, randn₀ drawn by {@code
 * torch.randn(shape, generator=torch.Generator().manual_seed(s))} ({@link TorchGenerator}) with s
 * the first word of {@link NumpySeedSequence}{@code (entropy, pool_size=24).generate_state(3)}.
 * Every interval [a, b] that is split is split at its rounded midpoint m (a dyadic tree, so the
 * structure does not depend on the order of queries) and gets its own seed, the first word of
 * {@code SeedSequence(entropy, spawn_key=(key, depth), pool_size=24).generate_state(4)}, where
 * the root has key 0 at depth 0 and a child has key 2·key + (0 left, 1 right) at depth + 1. The
 * children's increments are the Brownian bridge W<sub>left</sub> = (m − a)·W·(1/(b − a)) +
 * √((m − a)(b − m)/(b − a))·randn<sub>node</sub>, W<sub>right</sub> = W − W<sub>left</sub>, in
 * float32 with each double scalar rounded to float before its multiply, as PyTorch does.
 *
 * <p><b>Queries</b>: ta and tb are clamped to [t0, t1] (torchsde warns and clamps), equal times give
 * zeros, and otherwise [round(ta), round(tb)] is split down the tree until it is a union of
 * nodes, whose increments are summed left to right. Results do not depend on earlier queries (the
 * cache of recent node increments only saves work).
 *
 * <p>Not thread-safe.
 */
public final class BrownianTree {

  private static final int POOL_SIZE = 24;
  private static final int DECIMALS = 6;
  private static final int CACHE_SIZE = 64;

  private final Shape shape;
  private final BigInteger entropy;
  private final Node root;
  private final float[] rootW;
  private final Map<Node, float[]> cache = new LinkedHashMap<>(CACHE_SIZE, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Node, float[]> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  /**
   * A tree over [{@code t0}, {@code t1}] of samples of {@code shape}.
   *
   * @param entropy the seed, read as an unsigned 64-bit integer (torchsde takes any non-negative Python int)
   * @throws IllegalArgumentException unless t0 ≤ t1, both finite
   */
  public BrownianTree(double t0, double t1, Shape shape, long entropy) {
    this.shape = Objects.requireNonNull(shape, "shape");
    if (!Double.isFinite(t0) || !Double.isFinite(t1) || t0 > t1) {
      throw new IllegalArgumentException("need finite t0 <= t1, got " + t0 + ", " + t1);
    }
    this.entropy = new BigInteger(Long.toUnsignedString(entropy));
    this.root = new Node(round(t0), round(t1), null, false);
    int seed = new NumpySeedSequence(this.entropy, List.of(), POOL_SIZE).generateState(3)[0];
    this.rootW = scaled(randn(seed), (float) Math.sqrt(t1 - t0));
  }

  /** The sample shape. */
  public Shape shape() {
    return shape;
  }

  /**
   * W(tb) − W(ta) for ta ≤ tb ({@code tree(ta, tb)}).
   *
   * @throws IllegalArgumentException when ta &gt; tb (after clamping) or a time is not finite
   */
  public Tensor increment(double ta, double tb) {
    if (Double.isNaN(ta) || Double.isNaN(tb)) {
      throw new IllegalArgumentException("query times must not be NaN, got " + ta + ", " + tb);
    }
    ta = Math.min(Math.max(ta, root.start), root.end);
    tb = Math.min(Math.max(tb, root.start), root.end);
    if (ta > tb) {
      throw new IllegalArgumentException("query times must satisfy ta <= tb, got " + ta + ", " + tb);
    }
    float[] w = new float[shape.size()];
    if (ta != tb) {
      double a = round(ta);
      double b = round(tb);
      if (a == b) {
        throw new IllegalArgumentException(
            "query [" + ta + ", " + tb + "] is shorter than the tree's resolution of 1e-" + DECIMALS);
      }
      List<Node> nodes = new ArrayList<>();
      locate(root, a, b, nodes);
      System.arraycopy(increment(nodes.getFirst()), 0, w, 0, w.length);
      for (int k = 1; k < nodes.size(); k++) {
        float[] wi = increment(nodes.get(k));
        for (int i = 0; i < w.length; i++) {
          w[i] += wi[i];
        }
      }
    }
    return Tensor.of(shape, w);
  }

  private void locate(Node node, double ta, double tb, List<Node> out) {
    if (ta == node.start && tb == node.end) {
      out.add(node);
      return;
    }
    if (node.left == null) {
      split(node, ta == node.start ? tb : ta);
    }
    if (tb <= node.midway) {
      locate(node.left, ta, tb, out);
    } else if (ta >= node.midway) {
      locate(node.right, ta, tb, out);
    } else {
      locate(node.left, ta, node.midway, out);
      locate(node.right, node.midway, tb, out);
    }
  }

  /** Splits at the halfway point, then the child holding {@code at} again, until {@code at} is a split point. */
  private void split(Node node, double at) {
    while (true) {
      double mid = 0.5 * (node.end + node.start);
      node.midway = round(mid);
      node.seed = new NumpySeedSequence(entropy, List.of(BigInteger.valueOf(node.key), BigInteger.valueOf(node.depth)),
          POOL_SIZE).generateState(4)[0];
      node.left = new Node(node.start, round(mid), node, true);
      node.right = new Node(round(mid), node.end, node, false);
      if (at > node.midway) {
        node = node.right;
      } else if (at < node.midway) {
        node = node.left;
      } else {
        return;
      }
    }
  }

  private float[] increment(Node node) {
    if (node.parent == null) {
      return rootW;
    }
    float[] w = cache.get(node);
    if (w != null) {
      return w;
    }
    Node p = node.parent;
    float[] pw = increment(p);
    double hRecip = 1 / (p.end - p.start);
    double leftDiff = p.midway - p.start;
    double rightDiff = p.end - p.midway;
    float ld = (float) leftDiff;
    float hr = (float) hRecip;
    float sd = (float) Math.sqrt(leftDiff * rightDiff * hRecip);
    float[] noise = randn(p.seed);
    w = new float[pw.length];
    for (int i = 0; i < w.length; i++) {
      float mean = ld * pw[i] * hr;
      float left = mean + sd * noise[i];
      w[i] = node.isLeft ? left : pw[i] - left;
    }
    cache.put(node, w);
    return w;
  }

  private float[] randn(int seed) {
    return new TorchGenerator(Integer.toUnsignedLong(seed)).randn(shape).toArray();
  }

  private static float[] scaled(float[] v, float s) {
    for (int i = 0; i < v.length; i++) {
      v[i] *= s;
    }
    return v;
  }

  /** Python's {@code round(x, 6)}. */
  static double round(double x) {
    return new BigDecimal(x).setScale(DECIMALS, RoundingMode.HALF_EVEN).doubleValue();
  }

  private static final class Node {
    final double start;
    final double end;
    final Node parent;
    final boolean isLeft;
    final long key;
    final int depth;
    double midway = Double.NaN;
    int seed;
    Node left;
    Node right;

    Node(double start, double end, Node parent, boolean isLeft) {
      this.start = start;
      this.end = end;
      this.parent = parent;
      this.isLeft = isLeft;
      this.key = parent == null ? 0 : 2 * parent.key + (isLeft ? 0 : 1);
      this.depth = parent == null ? 0 : parent.depth + 1;
      if (depth > 62) {
        throw new IllegalStateException("Brownian tree deeper than 62 levels (interval too long for its 1e-6 resolution)");
      }
    }
  }
}
