package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.image.PngCodec;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The client-named tasks and their progress streams. A generation request carrying a task id
 * {@linkplain #begin begins} a {@link Task}; its events (queued, steps, one terminal event) are
 * recorded and sent to the task's {@linkplain #subscribe subscribers}, who get them from the
 * start whenever they connect. A subscriber may connect before the request: the id then waits,
 * pending, for at most {@code quarkus.ldm4j.limits.request-timeout} (after which its stream ends
 * with a failed event); when its last subscriber leaves first, the pending id is dropped at once
 * (its {@code tasks.max-pending} place is free again). Finished tasks are kept for {@code quarkus.ldm4j.tasks.retention}, at most
 * {@code quarkus.ldm4j.tasks.retained} of them. Thread-safe.
 */
@Singleton
public class TaskRegistry {

  /** A valid task id: 1 to 64 letters, digits, dots, underscores or hyphens. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final int retained;
  private final long retentionNanos;
  private final int maxPending;
  private final int maxSubscribers;
  private final Duration pendingWait;
  private final Map<String, Task> tasks = new HashMap<>(); // guarded by this
  private final ArrayDeque<Task> finished = new ArrayDeque<>(); // finishing order, guarded by this
  private int pending; // guarded by this
  private final AtomicInteger subscribers = new AtomicInteger();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ldm4j-task-expiry");
    t.setDaemon(true);
    return t;
  });

  /** Reads {@code quarkus.ldm4j.tasks.*}; throws naming the property when a bound is not positive. */
  @Inject
  public TaskRegistry(Ldm4jConfig config) {
    Ldm4jConfig.Tasks t = config.tasks();
    this.retained = positive("quarkus.ldm4j.tasks.retained", t.retained());
    this.maxPending = positive("quarkus.ldm4j.tasks.max-pending", t.maxPending());
    this.maxSubscribers = positive("quarkus.ldm4j.tasks.max-subscribers", t.maxSubscribers());
    if (t.retention().isNegative() || t.retention().isZero()) {
      throw new IllegalArgumentException("quarkus.ldm4j.tasks.retention must be positive, got " + t.retention());
    }
    this.retentionNanos = t.retention().toNanos();
    this.pendingWait = config.limits().requestTimeout();
  }

  private static int positive(String property, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(property + " must be >= 1, got " + value);
    }
    return value;
  }

  /** An invalid task id. */
  public static final class InvalidTaskIdException extends IllegalArgumentException {
    InvalidTaskIdException(String message) {
      super(message);
    }
  }

  /** A task id already in flight. */
  public static final class TaskConflictException extends RuntimeException {
    TaskConflictException(String message) {
      super(message);
    }
  }

  /** Too many waiting task ids or open streams. */
  public static final class TooManyTasksException extends RuntimeException {
    TooManyTasksException(String message) {
      super(message);
    }
  }

  /**
   * Throws {@link InvalidTaskIdException} unless {@code id} matches {@link #ID}.
   *
   * @return the id
   */
  public static String checkId(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new InvalidTaskIdException("a task id must match " + ID.pattern() + ", got "
          + (id == null ? "null" : "\"" + (id.length() > 80 ? id.substring(0, 80) + "…" : id) + "\""));
    }
    return id;
  }

  /**
   * Begins the task {@code id} for a generation request: takes over a pending id (its subscribers
   * get the events), replaces a finished one, and refuses one in flight.
   *
   * @throws InvalidTaskIdException for a malformed id
   * @throws TaskConflictException when a generation with this id is queued or running
   */
  public Task begin(String id) {
    checkId(id);
    synchronized (this) {
      evict();
      Task t = tasks.get(id);
      if (t != null && t.activate()) {
        pending--;
        return t;
      }
      if (t != null && t.state == State.ACTIVE) {
        throw new TaskConflictException("task '" + id + "' is already in flight; choose another task id");
      }
      if (t != null) {
        finished.remove(t);
      }
      Task fresh = new Task(this, id, State.ACTIVE);
      tasks.put(id, fresh);
      return fresh;
    }
  }

  /**
   * The events of task {@code id} as a stream: everything recorded so far, then the rest live; it
   * completes after the terminal event. An unknown id waits, pending, for its request.
   *
   * @throws InvalidTaskIdException for a malformed id
   * @throws TooManyTasksException when {@code max-subscribers} streams are open or {@code
   *     max-pending} ids are waiting already
   */
  public Multi<TaskEvent> subscribe(String id) {
    checkId(id);
    Task t;
    synchronized (this) {
      evict();
      if (subscribers.get() >= maxSubscribers) {
        throw new TooManyTasksException("too many open task progress streams (" + maxSubscribers + "); retry later");
      }
      t = tasks.get(id);
      if (t == null) {
        if (pending >= maxPending) {
          throw new TooManyTasksException("too many task ids are awaited already (" + maxPending + "); retry later");
        }
        t = new Task(this, id, State.PENDING);
        tasks.put(id, t);
        pending++;
        Task waiting = t;
        t.expiry = timer.schedule(() -> waiting.expire(pendingWait), pendingWait.toNanos(), TimeUnit.NANOSECONDS);
      }
      t.holders.incrementAndGet();
    }
    Task task = t;
    return Multi.createFrom().<TaskEvent>emitter(task::attach, BackPressureStrategy.BUFFER);
  }

  /**
   * A request naming {@code id} was refused before its task began (a 4xx): when {@code id} is
   * pending, its subscribers get a failed event with {@code message} and their streams end. An id
   * in flight (another request's), finished or unknown is left alone.
   */
  public void rejected(String id, String message) {
    Task t;
    synchronized (this) {
      t = tasks.get(id);
    }
    if (t != null) {
      t.send(true, () -> TaskEvent.failed(id, "the request was refused: " + message));
    }
  }

  /** The task {@code id} if it is known (pending, in flight or retained). */
  public synchronized Optional<Task> find(String id) {
    evict();
    return Optional.ofNullable(tasks.get(id));
  }

  /** Open per-task streams. */
  public int subscribers() {
    return subscribers.get();
  }

  /**
   * Drops {@code t} when it is still pending and no stream holds it any more: frees its pending
   * place and cancels its expiry. Takes the registry lock, then the task's (as {@link #begin} does).
   */
  private synchronized void abandon(Task t) {
    if (t.holders.get() > 0 || tasks.get(t.id) != t) {
      return;
    }
    synchronized (t) {
      if (t.state != State.PENDING) {
        return;
      }
      t.state = State.FINISHED;
      ScheduledFuture<?> f = t.expiry;
      if (f != null) {
        f.cancel(false);
      }
    }
    tasks.remove(t.id);
    pending--;
  }

  private void abandonLater(Task t) {
    try {
      // on the timer thread: a stream may end while its task's lock is held
      timer.execute(() -> abandon(t));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shut down
    }
  }

  private synchronized void retire(Task t, boolean wasPending) {
    if (wasPending) {
      pending--;
    }
    if (tasks.get(t.id) == t) {
      finished.addLast(t);
    }
    evict();
  }

  private void evict() {
    long now = System.nanoTime();
    while (!finished.isEmpty()
        && (finished.size() > retained || now - finished.peekFirst().finishedAt > retentionNanos)) {
      Task old = finished.removeFirst();
      tasks.remove(old.id, old);
    }
  }

  /** Stops the expiry timer. */
  @PreDestroy
  void shutdown() {
    timer.shutdownNow();
  }

  private enum State { PENDING, ACTIVE, FINISHED }

  /**
   * One task: records its events and sends them to its subscribers, in order. The first terminal
   * event wins; events after it are dropped. {@link #detached()} tasks record nothing.
   */
  public static final class Task {

    private final TaskRegistry registry;
    private final String id;
    private final List<TaskEvent> events = new ArrayList<>(); // guarded by this
    private int lastPreview = -1; // guarded by this: the index in events of the one step event that keeps its preview
    private final List<MultiEmitter<? super TaskEvent>> emitters = new CopyOnWriteArrayList<>();
    private volatile State state;
    private long finishedAt;
    private volatile ScheduledFuture<?> expiry;
    private final AtomicInteger holders = new AtomicInteger(); // streams given out and not ended

    private Task(TaskRegistry registry, String id, State state) {
      this.registry = registry;
      this.id = id;
      this.state = state;
    }

    /** A task without id, for requests that name none: its events go nowhere. */
    public static Task detached() {
      return new Task(null, null, State.ACTIVE);
    }

    /** The task id; null for a detached task. */
    public String id() {
      return id;
    }

    /** Whether the terminal event was sent. */
    public boolean isFinished() {
      return state == State.FINISHED;
    }

    /** The events so far, in order. */
    public synchronized List<TaskEvent> events() {
      return List.copyOf(events);
    }

    /** Accepted into the queue. */
    public void queued() {
      send(() -> TaskEvent.queued(id));
    }

    /**
     * Whether step events should carry a preview image: for tasks with an id (someone may watch their
     * stream, e.g. the browser UI), not for detached ones.
     */
    public boolean wantsPreview() {
      return registry != null;
    }

    /**
     * A sampler step done; its {@link ProgressEvent#preview() preview}, when present, is sent as a base64 PNG.
     * Only the latest step's preview is kept for late subscribers (older step events are kept without
     * theirs), so that a retained task holds at most one preview image.
     */
    public void step(ProgressEvent e) {
      if (registry == null) {
        return;
      }
      String preview = e.preview()
          .map(img -> Base64.getEncoder().encodeToString(PngCodec.encode(img, Optional.empty()))).orElse(null);
      send(() -> TaskEvent.step(id, e.step(), e.totalSteps(), e.sigma(), preview));
    }

    /** Finished with images (terminal). */
    public void done() {
      send(() -> TaskEvent.done(id));
    }

    /** Failed (terminal). */
    public void failed(String message) {
      send(() -> TaskEvent.failed(id, message));
    }

    /** Cancelled (terminal). */
    public void cancelled(String reason) {
      send(() -> TaskEvent.cancelled(id, reason));
    }

    private synchronized boolean activate() {
      if (state != State.PENDING) {
        return false;
      }
      state = State.ACTIVE;
      ScheduledFuture<?> f = expiry;
      if (f != null) {
        f.cancel(false);
      }
      return true;
    }

    private void expire(Duration waited) {
      send(true, () -> TaskEvent.failed(id, "no generation request with task id '" + id + "' arrived within " + waited));
    }

    private void send(java.util.function.Supplier<TaskEvent> make) {
      send(false, make);
    }

    private void send(boolean onlyPending, java.util.function.Supplier<TaskEvent> make) {
      if (registry == null) {
        return;
      }
      boolean wasPending;
      synchronized (this) {
        if (state == State.FINISHED || (onlyPending && state != State.PENDING)) {
          return;
        }
        TaskEvent e = make.get();
        if (e.preview() != null && lastPreview >= 0) {
          events.set(lastPreview, events.get(lastPreview).withoutPreview());
        }
        if (e.preview() != null) {
          lastPreview = events.size();
        }
        events.add(e);
        for (MultiEmitter<? super TaskEvent> em : emitters) {
          em.emit(e);
        }
        if (!e.event().terminal()) {
          return;
        }
        wasPending = state == State.PENDING;
        state = State.FINISHED;
        finishedAt = System.nanoTime();
        for (MultiEmitter<? super TaskEvent> em : emitters) {
          em.complete();
        }
        emitters.clear();
      }
      registry.retire(this, wasPending);
    }

    private void attach(MultiEmitter<? super TaskEvent> em) {
      registry.subscribers.incrementAndGet();
      em.onTermination(() -> {
        emitters.remove(em);
        registry.subscribers.decrementAndGet();
        if (holders.decrementAndGet() == 0 && state == State.PENDING) {
          registry.abandonLater(this);
        }
      });
      synchronized (this) {
        events.forEach(em::emit);
        if (state == State.FINISHED) {
          em.complete();
        } else {
          emitters.add(em);
        }
      }
    }
  }
}
