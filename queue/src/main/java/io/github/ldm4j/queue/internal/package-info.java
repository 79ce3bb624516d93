/**
 * The Redis Streams binding of the job queue: keys ({@link io.github.ldm4j.queue.internal.Keys}),
 * atomic Lua steps, the wire codec of requests and outcomes, the API-node side ({@link
 * io.github.ldm4j.queue.internal.RedisJobQueue}) and the worker ({@link
 * io.github.ldm4j.queue.internal.RedisWorker}). Not API.
 */
package io.github.ldm4j.queue.internal;
