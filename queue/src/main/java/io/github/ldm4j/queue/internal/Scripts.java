package io.github.ldm4j.queue.internal;

/**
 * The Lua scripts of the Redis binding: each step of a job that touches more than one key runs
 * atomically on the server, so that no crash between two commands can lose or duplicate a job.
 */
final class Scripts {

  private Scripts() {}

  /**
   * KEYS: stream. ARGV: max length, group, job id, payload, enqueue time (ms), whether the client
   * wants previews ({@code 1}/{@code 0}), the selection (LoRAs, VAE; empty for none). Creates the group at
   * the first job, refuses when the stream (waiting plus running jobs: finished ones are deleted)
   * holds max length entries. Returns {accepted 0/1, depth}.
   */
  static final String ENQUEUE = """
      pcall(redis.call, 'XGROUP', 'CREATE', KEYS[1], ARGV[2], '0', 'MKSTREAM')
      local len = redis.call('XLEN', KEYS[1])
      if len >= tonumber(ARGV[1]) then return {0, len} end
      if ARGV[7] == '' then
        redis.call('XADD', KEYS[1], '*', 'job', ARGV[3], 'payload', ARGV[4], 'enqueued', ARGV[5], 'preview', ARGV[6])
      else
        redis.call('XADD', KEYS[1], '*', 'job', ARGV[3], 'payload', ARGV[4], 'enqueued', ARGV[5], 'preview', ARGV[6],
            'selection', ARGV[7])
      end
      return {1, len + 1}
      """;

  /**
   * KEYS: stream, result, events, stats. ARGV: group, entry id, outcome, TTL (ms), status, duration
   * (ms). Stores the outcome unless one is stored already (a rerun cannot answer twice), then acks
   * and deletes the entry, and on the first store appends the end event and updates the model's
   * throughput ({@code done}, {@code avg_ms}); a later store is counted in {@code refused_duplicates}.
   * Returns 1 when this call stored the outcome, 0 when one was there.
   */
  static final String COMPLETE = """
      local stored = redis.call('SET', KEYS[2], ARGV[3], 'NX', 'PX', ARGV[4])
      redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
      redis.call('XDEL', KEYS[1], ARGV[2])
      if not stored then
        redis.call('HINCRBY', KEYS[4], 'refused_duplicates', 1)
        return 0
      end
      redis.call('XADD', KEYS[3], '*', 'type', 'end', 'status', ARGV[5])
      redis.call('PEXPIRE', KEYS[3], ARGV[4])
      if ARGV[5] == 'DONE' then
        redis.call('HINCRBY', KEYS[4], 'done', 1)
        local avg = tonumber(redis.call('HGET', KEYS[4], 'avg_ms') or ARGV[6])
        redis.call('HSET', KEYS[4], 'avg_ms', tostring(math.floor(avg * 0.8 + tonumber(ARGV[6]) * 0.2)))
      end
      return 1
      """;

  /**
   * KEYS: dead-letter stream, then COMPLETE's keys. ARGV: job id, payload, deliveries, reason, then
   * COMPLETE's arguments. Copies the job to the dead-letter stream, then completes it as COMPLETE.
   */
  static final String DEAD_LETTER = """
      if redis.call('EXISTS', KEYS[3]) == 0 then
        redis.call('XADD', KEYS[1], 'MAXLEN', '~', '10000', '*', 'job', ARGV[1], 'payload', ARGV[2],
            'deliveries', ARGV[3], 'reason', ARGV[4])
      end
      local stored = redis.call('SET', KEYS[3], ARGV[7], 'NX', 'PX', ARGV[8])
      redis.call('XACK', KEYS[2], ARGV[5], ARGV[6])
      redis.call('XDEL', KEYS[2], ARGV[6])
      if not stored then return 0 end
      redis.call('XADD', KEYS[4], '*', 'type', 'end', 'status', ARGV[9])
      redis.call('PEXPIRE', KEYS[4], ARGV[8])
      return 1
      """;

  /**
   * KEYS: stream. ARGV: group, consumer, min idle (ms). Claims one job idle for min idle (its
   * worker died or lost Redis) and returns {entry id, fields, deliveries}, or an empty array.
   */
  static final String RECLAIM = """
      local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', 1)
      local entries = r[2]
      if #entries == 0 or not entries[1] or not entries[1][2] then return {} end
      local e = entries[1]
      local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
      return {e[1], e[2], p[1][4]}
      """;

  /**
   * KEYS: stream. ARGV: group, entry id, consumer. Resets the idle time of a job this consumer still
   * owns (without counting a delivery). Returns 1 if it still owned it.
   */
  static final String RENEW = """
      local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
      if #p == 1 and p[1][2] == ARGV[3] then
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
        return 1
      end
      return 0
      """;

  /**
   * KEYS: events, cancel flag. ARGV: step, total, sigma, TTL (ms), preview PNG (empty for none).
   * Appends a progress event (with its preview when there is one; the stream keeps about the last
   * 100 events, so a job's previews stay bounded) and returns whether the job's cancel flag is set:
   * one round trip per step.
   */
  static final String PROGRESS = """
      if ARGV[5] == '' then
        redis.call('XADD', KEYS[1], 'MAXLEN', '~', '100', '*', 'type', 'progress', 'step', ARGV[1], 'total', ARGV[2],
            'sigma', ARGV[3])
      else
        redis.call('XADD', KEYS[1], 'MAXLEN', '~', '100', '*', 'type', 'progress', 'step', ARGV[1], 'total', ARGV[2],
            'sigma', ARGV[3], 'preview', ARGV[5])
      end
      redis.call('PEXPIRE', KEYS[1], ARGV[4])
      return redis.call('EXISTS', KEYS[2])
      """;
}
