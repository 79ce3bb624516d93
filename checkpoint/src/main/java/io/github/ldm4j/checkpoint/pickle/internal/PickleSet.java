package io.github.ldm4j.checkpoint.pickle.internal;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A Python set (mutable, unhashable, compared by identity) or frozenset (immutable once built,
 * hashable with a cached hash and weight). Elements are hashable values.
 */
public final class PickleSet {

  private final Set<Object> items = new LinkedHashSet<>();
  private boolean frozen;
  private int depth = 1;
  private long weight = 1;
  private int hash;

  /** A new, empty, mutable set. */
  public PickleSet() {}

  /** The elements, unmodifiable. */
  public Set<Object> items() {
    return Collections.unmodifiableSet(items);
  }

  /** Whether this is a frozenset. */
  public boolean frozen() {
    return frozen;
  }

  /** Nesting depth: 1 plus the deepest element's. */
  public int depth() {
    return depth;
  }

  /** How many values hashing or comparing visits; -1 for a (mutable, unhashable) set. */
  public long weight() {
    return frozen ? weight : -1;
  }

  void add(Object element) {
    if (frozen) {
      throw new IllegalStateException("frozenset is immutable");
    }
    if (items.add(element)) {
      depth = Math.max(depth, Values.depth(element) + 1);
      weight = Math.min(Long.MAX_VALUE / 2, weight + Values.keyWeight(element));
      hash += element == null ? 0 : element.hashCode();
    }
  }

  void freeze() {
    frozen = true;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof PickleSet s && frozen && s.frozen && hash == s.hash && items.equals(s.items);
  }

  @Override
  public int hashCode() {
    return frozen ? hash : System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return (frozen ? "frozenset[" : "set[") + items.size() + "]";
  }
}
