package io.github.ldm4j.queue.internal;

import io.github.ldm4j.queue.QueueAddress;
import io.github.ldm4j.queue.QueueException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking Redis commands over Vert.x' pooled Redis client (RESP2): each call waits for its reply on
 * the calling thread (never an event loop) and turns any failure — refused connection, lost
 * connection, timeout, error reply — into {@link QueueException.Unavailable} naming the command.
 * The pool reconnects by itself, so calls succeed again once the server is back. With a {@code
 * redis-sentinel://} address the client asks the sentinels for the master (again after {@value
 * #SENTINEL_TOPOLOGY_TTL_MS} ms, so a failover is followed) and {@link #evalReplicated} waits for a
 * replica.
 *
 * <p><b>Ownership:</b> owns its Vert.x instance and its connections; {@link #close()} closes them
 * (idempotent).
 */
public final class RedisCommands implements AutoCloseable {

  /** Extra time over a command's own blocking time before the call gives up. */
  private static final long REPLY_MARGIN_MS = 5_000;

  /** How long the master the sentinels named is trusted before they are asked again (a failover is followed within it). */
  private static final long SENTINEL_TOPOLOGY_TTL_MS = 1_000;

  /** How long a write that must reach a replica waits for one ({@code WAIT}). */
  private static final long REPLICA_WAIT_MS = 2_000;

  private final boolean replicated;
  private final Vertx vertx;
  private final Redis redis;
  private final String where;
  private volatile boolean closed;

  /** A client of {@code address} with up to {@code poolSize} connections. */
  public RedisCommands(QueueAddress address, int poolSize) {
    this.where = address.toString();
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    RedisOptions options = new RedisOptions();
    switch (address.kind()) {
      case REDIS -> options.setConnectionString(address.uri().toString());
      case REDIS_SENTINEL -> options.setType(RedisClientType.SENTINEL).setEndpoints(address.endpoints())
          .setMasterName(address.masterName().orElseThrow()).setRole(RedisRole.MASTER)
          .setTopologyCacheTTL(SENTINEL_TOPOLOGY_TTL_MS);
    }
    this.replicated = address.kind() == QueueAddress.Kind.REDIS_SENTINEL;
    options.setMaxPoolSize(poolSize).setMaxPoolWaiting(64 * poolSize).setMaxWaitingHandlers(64 * poolSize)
        .setPoolRecycleTimeout(15_000)
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(2_000).setTcpKeepAlive(true));
    this.redis = Redis.createClient(vertx, options);
  }

  /** Runs {@code command} with {@code args} (Strings, byte[]s or numbers). */
  public Response call(String command, Object... args) {
    return call(0, command, args);
  }

  /** Runs a command that may block the connection up to {@code blockMs} on the server. */
  public Response call(long blockMs, String command, Object... args) {
    if (closed) {
      throw new QueueException.Unavailable("the queue client is closed", null);
    }
    Request r = request(command, args);
    try {
      return redis.send(r).toCompletionStage().toCompletableFuture().get(blockMs + REPLY_MARGIN_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw new QueueException.Unavailable("Redis at " + where + " failed " + command + ": " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new QueueException.Unavailable("Redis at " + where + " did not answer " + command + " within "
          + Duration.ofMillis(blockMs + REPLY_MARGIN_MS), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException.Unavailable("interrupted while waiting for Redis (" + command + ")", e);
    }
  }

  private static Request request(String command, Object... args) {
    Request r = Request.cmd(Command.create(command));
    for (Object a : args) {
      switch (a) {
        case String s -> r.arg(s.getBytes(StandardCharsets.UTF_8));
        case byte[] b -> r.arg(b);
        case Integer i -> r.arg(i.longValue());
        case Long l -> r.arg(l);
        default -> r.arg(a.toString());
      }
    }
    return r;
  }

  /** Runs a Lua {@code script} on {@code keys} and {@code args}. */
  public Response eval(String script, String[] keys, Object... args) {
    Object[] all = new Object[2 + keys.length + args.length];
    all[0] = script;
    all[1] = keys.length;
    System.arraycopy(keys, 0, all, 2, keys.length);
    System.arraycopy(args, 0, all, 2 + keys.length, args.length);
    return call("EVAL", all);
  }

  /**
   * Runs a Lua {@code script} as {@link #eval}; with Sentinel, then waits on the same connection
   * ({@code WAIT 1}) until a replica has its writes, so that a failover cannot lose them.
   *
   * @throws QueueException.Unavailable also when no replica confirmed the writes in time (the caller
   *     must treat the step as not done: with Sentinel an unreplicated write may vanish at a failover)
   */
  public Response evalReplicated(String script, String[] keys, Object... args) {
    if (!replicated) {
      return eval(script, keys, args);
    }
    if (closed) {
      throw new QueueException.Unavailable("the queue client is closed", null);
    }
    Object[] all = new Object[2 + keys.length + args.length];
    all[0] = script;
    all[1] = keys.length;
    System.arraycopy(keys, 0, all, 2, keys.length);
    System.arraycopy(args, 0, all, 2 + keys.length, args.length);
    Request wait = Request.cmd(Command.WAIT).arg(1L).arg(REPLICA_WAIT_MS);
    java.util.List<Response> replies;
    try {
      replies = redis.batch(java.util.List.of(request("EVAL", all), wait)).toCompletionStage().toCompletableFuture()
          .get(REPLICA_WAIT_MS + REPLY_MARGIN_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw new QueueException.Unavailable("Redis at " + where + " failed EVAL: " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new QueueException.Unavailable("Redis at " + where + " did not answer EVAL+WAIT", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException.Unavailable("interrupted while waiting for Redis (EVAL)", e);
    }
    if (replies.get(1) == null || replies.get(1).toLong() < 1) {
      throw new QueueException.Unavailable("Redis at " + where + ": no replica confirmed the write within "
          + REPLICA_WAIT_MS + " ms (with Sentinel a step counts once a replica has it)", null);
    }
    return replies.get(0);
  }

  /** Where this client connects (no credentials). */
  public String where() {
    return where;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      redis.close();
      vertx.close();
    }
  }
}
