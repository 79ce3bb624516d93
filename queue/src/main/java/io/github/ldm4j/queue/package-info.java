/**
 * The job queue between stateless API nodes and generation workers: the {@link
 * io.github.ldm4j.queue.JobQueue} seam, its {@link io.github.ldm4j.queue.QueueAddress address} and
 * {@link io.github.ldm4j.queue.QueueSettings settings}, a job's {@link
 * io.github.ldm4j.queue.JobSelection selection} (LoRAs, VAE by name), the {@link
 * io.github.ldm4j.queue.QueueWorker worker} side with the {@link io.github.ldm4j.queue.WorkerModels
 * models} it opens per job, and {@link io.github.ldm4j.queue.JobQueues#connect}, which opens the Redis Streams
 * binding (under {@code .internal}).
 */
package io.github.ldm4j.queue;
