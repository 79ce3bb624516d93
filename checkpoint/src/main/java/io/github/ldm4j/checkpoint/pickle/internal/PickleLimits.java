package io.github.ldm4j.checkpoint.pickle.internal;

/**
 * Bounds on what one pickle may make the unpickler do, so that a hostile file fails with a message
 * instead of exhausting memory or time. Work is otherwise linear in the pickle's size: every opcode
 * does a bounded amount of work, lengths are checked against the bytes left before anything is
 * allocated, and no value is ever walked recursively.
 *
 * @param maxPickleBytes the largest pickle accepted (a state dict's is kilobytes to a few megabytes)
 * @param maxStack the most values on the stack at once
 * @param maxMarks the most open {@code MARK}s at once
 * @param maxMemo the most memo entries
 * @param maxDepth the deepest nesting of containers (tuples, lists, dicts, sets, instances)
 * @param maxIntDigits the most digits of a decimal integer ({@code INT}, {@code LONG}); Python's own
 *     default limit is 4300
 * @param maxLongBytes the most bytes of a binary integer ({@code LONG1}, {@code LONG4})
 * @param maxKeyWeight the most values one dict key or set element (a tuple, a frozenset) may hold
 */
public record PickleLimits(
    long maxPickleBytes,
    int maxStack,
    int maxMarks,
    int maxMemo,
    int maxDepth,
    int maxIntDigits,
    int maxLongBytes,
    long maxKeyWeight) {

  /** The limits used for checkpoints: far above what a real state dict needs. */
  public static final PickleLimits DEFAULTS =
      new PickleLimits(256L << 20, 1 << 20, 1000, 1 << 22, 256, 4300, 1024, 1024);
}
