package io.github.ldm4j.conditioning.clip.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A bounded least-recently-used cache, safe for concurrent use (one lock). Values must be
 * immutable or never modified by callers.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class LruCache<K, V> {

  private final int capacity;
  private final LinkedHashMap<K, V> map;

  /** A cache holding at most {@code capacity} entries (0 disables caching). */
  public LruCache(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("cache capacity must be >= 0, got " + capacity);
    }
    this.capacity = capacity;
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > LruCache.this.capacity;
      }
    };
  }

  /** The cached value for {@code key}, computing and caching it on a miss (outside the lock). */
  public V get(K key, Function<? super K, ? extends V> compute) {
    if (capacity == 0) {
      return compute.apply(key);
    }
    synchronized (map) {
      V v = map.get(key);
      if (v != null) {
        return v;
      }
    }
    V v = compute.apply(key);
    synchronized (map) {
      map.put(key, v);
    }
    return v;
  }

  /** Number of cached entries. */
  public int size() {
    synchronized (map) {
      return map.size();
    }
  }

  /** The maximum number of entries. */
  public int capacity() {
    return capacity;
  }
}
