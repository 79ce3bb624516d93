package io.github.ldm4j.quarkus.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Values opened on demand by key — the pipelines of checkpoints, LoRA sets and VAEs — in a
 * least-recently-used cache bounded by a count and a total size, with reference counting:
 *
 * <ul>
 *   <li>single flight: one key is loaded by one caller at a time; the others asking for it wait for
 *       that load and share its value (or its failure);
 *   <li>a load is in two steps, {@link Loader#prepare} (disk work such as a conversion, no memory
 *       held, so loads of different keys prepare in parallel) and {@link Prepared#open} (the memory
 *       of {@link Prepared#bytes}); before opening, the least recently used idle values are closed
 *       until the new one fits, and while every cached value is in use the load waits for one to be
 *       released — so the bounds hold, and a request for another model waits instead of failing;
 *   <li>a value is closed only when no {@link Lease} holds it: a value still in use when the cache
 *       drops it ({@link #invalidate}, {@link #close}) is closed at its last release.
 * </ul>
 *
 * One value is always allowed, whatever its size. A leaseholder never waits for a load (it holds one
 * lease), so loads waiting for room cannot deadlock.
 *
 * <p><b>Ownership:</b> the cache owns the values it opened and closes each exactly once.
 *
 * @param <K> the key (value equality)
 * @param <V> the value
 */
public final class PipelineCache<K, V extends AutoCloseable> implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PipelineCache.class);

  /**
   * Loads a value in two steps.
   *
   * @param <K> the key
   * @param <V> the value
   */
  @FunctionalInterface
  public interface Loader<K, V> {
    /** Prepares {@code key} (disk work; no memory kept), saying how much memory the value will take. */
    Prepared<V> prepare(K key) throws Exception;
  }

  /**
   * A prepared value, not yet open.
   *
   * @param <V> the value
   */
  public interface Prepared<V> {
    /** The value's size in bytes once open. */
    long bytes();

    /** Opens the value (owned by the cache from then on). */
    V open() throws Exception;
  }

  /** A load that failed; its cause is the loader's exception. */
  public static final class LoadException extends RuntimeException {
    LoadException(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  private final class Entry {
    final K key;
    final V value;
    final long bytes;
    int users; // guarded by lock
    boolean dropped; // guarded by lock: no longer in the map; closed at the last release
    final AtomicBoolean closed = new AtomicBoolean();

    Entry(K key, V value, long bytes) {
      this.key = key;
      this.value = value;
      this.bytes = bytes;
    }

    void closeValue() {
      if (closed.compareAndSet(false, true)) {
        try {
          value.close();
        } catch (Exception e) {
          LOG.warnf(e, "closing the pipeline %s failed", key);
        }
      }
    }
  }

  /** A use of one value; {@link #close()} releases it (idempotent). */
  public final class Lease implements AutoCloseable {
    private final Entry entry;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(Entry entry) {
      this.entry = entry;
    }

    /** The value (valid until this lease is closed). */
    public V value() {
      return entry.value;
    }

    /** The key. */
    public K key() {
      return entry.key;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release(entry);
      }
    }
  }

  private final int maxEntries;
  private final long maxBytes;
  private final Loader<K, V> loader;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final LinkedHashMap<K, Entry> entries = new LinkedHashMap<>(16, 0.75f, true); // access order: LRU first
  private final Map<K, CompletableFuture<Entry>> loading = new LinkedHashMap<>();
  private int opening; // guarded by lock: loads that reserved room and are opening
  private long openingBytes; // guarded by lock
  private long loads; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * A cache of at most {@code maxEntries} values and {@code maxBytes} in all.
   *
   * @throws IllegalArgumentException when a bound is below 1
   */
  public PipelineCache(int maxEntries, long maxBytes, Loader<K, V> loader) {
    if (maxEntries < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("bounds must be >= 1, got " + maxEntries + " values and " + maxBytes + " bytes");
    }
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.loader = Objects.requireNonNull(loader, "loader");
  }

  /**
   * A lease on {@code key}'s value, loading it when it is not cached (or waiting for the load in
   * progress), within {@code timeout}.
   *
   * @throws LoadException when the load failed (every caller waiting for it gets the failure)
   * @throws TimeoutException when the value was not available within {@code timeout}
   * @throws IllegalStateException when the cache is closed
   */
  public Lease acquire(K key, Duration timeout) throws InterruptedException, TimeoutException {
    Objects.requireNonNull(key, "key");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      CompletableFuture<Entry> pending;
      CompletableFuture<Entry> mine = null;
      lock.lock();
      try {
        requireOpen();
        Entry e = entries.get(key);
        if (e != null) {
          e.users++;
          return new Lease(e);
        }
        pending = loading.get(key);
        if (pending == null) {
          mine = new CompletableFuture<>();
          loading.put(key, mine);
        }
      } finally {
        lock.unlock();
      }
      if (mine != null) {
        return new Lease(load(key, mine, deadline));
      }
      try {
        pending.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof LoadException l ? l : new LoadException(e.getCause());
      }
      // loaded: take a lease through the map (it may have been dropped meanwhile, then load again)
    }
  }

  /** Loads {@code key} as the one loader, completing {@code mine}; the entry comes with one user. */
  private Entry load(K key, CompletableFuture<Entry> mine, long deadline) throws InterruptedException, TimeoutException {
    Prepared<V> prepared = null;
    boolean reserved = false;
    try {
      prepared = loader.prepare(key);
      long bytes = Math.max(0, prepared.bytes());
      reserve(bytes, deadline);
      reserved = true;
      V value = prepared.open();
      Entry e = new Entry(key, value, bytes);
      e.users = 1;
      lock.lock();
      try {
        opening--;
        openingBytes -= bytes;
        reserved = false;
        loads++;
        if (closed) {
          e.dropped = true;
        } else {
          entries.put(key, e);
        }
        loading.remove(key);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      mine.complete(e);
      return e;
    } catch (InterruptedException | TimeoutException | RuntimeException | Error e) {
      fail(key, mine, prepared, reserved, e);
      throw e;
    } catch (Exception e) {
      LoadException l = new LoadException(e);
      fail(key, mine, prepared, reserved, l);
      throw l;
    }
  }

  private void fail(K key, CompletableFuture<Entry> mine, Prepared<V> prepared, boolean reserved, Throwable why) {
    lock.lock();
    try {
      if (reserved) {
        opening--;
        openingBytes -= Math.max(0, prepared.bytes());
      }
      loading.remove(key);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    mine.completeExceptionally(why instanceof LoadException ? why : new LoadException(why));
  }

  /**
   * Makes room for a value of {@code bytes}: closes the least recently used idle values until it
   * fits, waiting while the values in the way are in use.
   */
  private void reserve(long bytes, long deadline) throws InterruptedException, TimeoutException {
    List<Entry> close = new ArrayList<>();
    lock.lock();
    try {
      while (true) {
        requireOpen();
        Iterator<Entry> lru = entries.values().iterator();
        while (!fits(bytes) && lru.hasNext()) {
          Entry e = lru.next();
          if (e.users == 0) {
            lru.remove();
            e.dropped = true;
            close.add(e);
          }
        }
        if (fits(bytes)) {
          opening++;
          openingBytes += bytes;
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("no room to open another pipeline: the " + entries.size()
              + " open are in use (bounds: " + maxEntries + " pipelines, " + maxBytes + " bytes)");
        }
        changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
      close.forEach(Entry::closeValue); // outside the lock: closing natives takes time
    }
  }

  /** Whether a value of {@code bytes} fits beside the cached and opening ones; one alone always fits. */
  private boolean fits(long bytes) {
    int count = entries.size() + opening;
    if (count == 0) {
      return true;
    }
    long used = openingBytes;
    for (Entry e : entries.values()) {
      used += e.bytes;
    }
    return count + 1 <= maxEntries && used + bytes <= maxBytes;
  }

  private void release(Entry e) {
    boolean close;
    lock.lock();
    try {
      e.users--;
      close = e.dropped && e.users == 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (close) {
      e.closeValue();
    }
  }

  /**
   * Drops the cached values whose key {@code drop} accepts (e.g. their files changed): idle ones are
   * closed now, those in use at their last release; the next request loads them again.
   */
  public void invalidate(java.util.function.Predicate<K> drop) {
    List<Entry> close = new ArrayList<>();
    lock.lock();
    try {
      for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
        Entry e = it.next();
        if (drop.test(e.key)) {
          it.remove();
          e.dropped = true;
          if (e.users == 0) {
            close.add(e);
          }
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    close.forEach(Entry::closeValue);
  }

  /** The cached keys, least recently used first. */
  public List<K> keys() {
    lock.lock();
    try {
      return List.copyOf(entries.keySet());
    } finally {
      lock.unlock();
    }
  }

  /** The cached values by key, least recently used first (valid while cached; do not close them). */
  public Map<K, V> values() {
    lock.lock();
    try {
      Map<K, V> out = new LinkedHashMap<>();
      entries.forEach((k, e) -> out.put(k, e.value));
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** How many values were opened since the start (a measure of reloads). */
  public long loads() {
    lock.lock();
    try {
      return loads;
    } finally {
      lock.unlock();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the pipeline cache is closed (shutting down)");
    }
  }

  /**
   * Closes the cache (idempotent): later acquisitions fail; idle values are closed now, those in use
   * at their last release.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
    invalidate(k -> true);
  }
}
