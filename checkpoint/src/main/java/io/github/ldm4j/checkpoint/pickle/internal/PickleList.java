package io.github.ldm4j.checkpoint.pickle.internal;

import java.util.ArrayList;

/**
 * A Python list. Unhashable, so it compares by identity: nothing ever walks a list recursively.
 * {@link #depth()} is its nesting depth as far as the unpickler saw it grow.
 */
public final class PickleList extends ArrayList<Object> {

  private static final long serialVersionUID = 1L;

  private int depth = 1;

  /** Nesting depth: 1 plus the deepest item's, when it was added. */
  public int depth() {
    return depth;
  }

  void noteItemDepth(int itemDepth) {
    depth = Math.max(depth, itemDepth + 1);
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }

  @Override
  public String toString() {
    return "list[" + size() + "]";
  }
}
