/**
 * The job queue between stateless API nodes and generation workers: the {@link
 * io.github.ldm4j.queue.JobQueue} seam, its {@link io.github.ldm4j.queue.QueueAddress address} and
 * {@link io.github.ldm4j.queue.QueueSettings settings}, the {@link io.github.ldm4j.queue.QueueWorker
 * worker} side, and {@link io.github.ldm4j.queue.JobQueues#connect}, which opens the Redis Streams
 * binding (under {@code .internal}).
 */
package io.github.ldm4j.queue;
