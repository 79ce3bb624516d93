package io.github.ldm4j.checkpoint.pickle.internal;

import io.github.ldm4j.checkpoint.DType;

/**
 * A tensor storage as a checkpoint's persistent id names it: {@code ('storage', torch.FloatStorage,
 * key, location, numel)}. Its bytes are found by key: the archive entry {@code <top>/data/<key>} of
 * the zip format, or the key's place in the storage section of the legacy format.
 *
 * @param key the storage key
 * @param dtype the element type its storage class names
 * @param location where it lived when saved ({@code cpu}, {@code cuda:0}); informational
 * @param numel its number of elements
 */
public record StorageRef(String key, DType dtype, String location, long numel) {

  /** Its size in bytes. */
  public long byteSize() {
    return Math.multiplyExact(numel, dtype.bytes());
  }
}
