package io.github.ldm4j.checkpoint.pickle.internal;

/**
 * An object a pickle asked to build from an allowed class ({@code REDUCE}, {@code NEWOBJ}, {@code
 * INST}, {@code OBJ}), kept inert: the class is named, never instantiated; its constructor arguments
 * and the state a later {@code BUILD} gave it are kept as plain values. Compares by identity, like a
 * Python object without {@code __eq__}.
 *
 * <p>A class, not a record, because {@code BUILD} sets the state after the object was memoized and
 * the memo must see it.
 */
public final class Instance {

  private final PickleGlobal global;
  private final Tuple args;
  private final PickleDict kwargs;
  private Object state;
  private int depth;

  /**
   * @param global the class (or factory function) named
   * @param args its positional arguments
   * @param kwargs its keyword arguments ({@code NEWOBJ_EX}), or {@code null}
   */
  public Instance(PickleGlobal global, Tuple args, PickleDict kwargs) {
    this.global = global;
    this.args = args;
    this.kwargs = kwargs;
    this.depth = Math.max(args.depth(), kwargs == null ? 0 : kwargs.depth()) + 1;
  }

  /** The class or factory named. */
  public PickleGlobal global() {
    return global;
  }

  /** The positional arguments. */
  public Tuple args() {
    return args;
  }

  /** The keyword arguments, or {@code null}. */
  public PickleDict kwargs() {
    return kwargs;
  }

  /** The state set by {@code BUILD}, or {@code null}. */
  public Object state() {
    return state;
  }

  /** Nesting depth: 1 plus the deepest argument's or state's. */
  public int depth() {
    return depth;
  }

  void setState(Object newState) {
    if (state instanceof PickleDict old && newState instanceof PickleDict update) {
      old.putAll(update);
      old.noteItemDepth(update.depth() - 1);
    } else {
      state = newState;
    }
    depth = Math.max(depth, Values.depth(newState) + 1);
  }

  @Override
  public String toString() {
    return global + "(…)";
  }
}
