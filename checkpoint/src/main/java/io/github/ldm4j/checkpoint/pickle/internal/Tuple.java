package io.github.ldm4j.checkpoint.pickle.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A Python tuple: immutable; its nesting depth, whether it is hashable, its hash and its "key
 * weight" (how many values a comparison may visit) are computed once, from its items', so that
 * hashing or comparing a tuple used as a dict key never recurses more than its weight. An unhashable
 * tuple (one holding a list, dict or set) compares by identity.
 */
public final class Tuple {

  /** The empty tuple. */
  public static final Tuple EMPTY = new Tuple(List.of());

  private final List<Object> items;
  private final int depth;
  private final long weight;
  private final int hash;

  /** @param items copied; {@code null} items are Python's {@code None} */
  public Tuple(List<?> items) {
    this.items = Collections.unmodifiableList(new ArrayList<>(items));
    int d = 0;
    long w = 1;
    int h = 1;
    for (Object item : this.items) {
      d = Math.max(d, Values.depth(item));
      long iw = Values.keyWeight(item);
      w = (w < 0 || iw < 0) ? -1 : Math.min(Long.MAX_VALUE / 2, w + iw);
      h = 31 * h + (iw < 0 ? 0 : Objects.hashCode(item));
    }
    this.depth = d + 1;
    this.weight = w;
    this.hash = h;
  }

  /** A tuple of the given items. */
  public static Tuple of(Object... items) {
    return new Tuple(java.util.Arrays.asList(items));
  }

  /** The items, unmodifiable. */
  public List<Object> items() {
    return items;
  }

  /** The number of items. */
  public int size() {
    return items.size();
  }

  /** Item {@code i}. */
  public Object get(int i) {
    return items.get(i);
  }

  /** Nesting depth: 1 plus the deepest item's. */
  public int depth() {
    return depth;
  }

  /** How many values hashing or comparing visits; -1 when unhashable. */
  public long weight() {
    return weight;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof Tuple t && weight >= 0 && t.weight >= 0 && hash == t.hash && items.equals(t.items);
  }

  @Override
  public int hashCode() {
    return weight < 0 ? System.identityHashCode(this) : hash;
  }

  @Override
  public String toString() {
    return "tuple[" + items.size() + "]";
  }
}
