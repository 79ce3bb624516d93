package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.quarkus.runtime.Ldm4jQueue;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.QueueException;
import io.github.ldm4j.queue.WorkerStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /ldm4j/workers}: the live workers of {@code quarkus.ldm4j.queue.kind=redis} as their
 * last heartbeats say (models, device, current job); 404 {@code no_queue} with the local queue, 503
 * {@code queue_unavailable} while Redis is away.
 */
@Path("/ldm4j/workers")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public class Ldm4jWorkersResource {

  private final Ldm4jQueue queue;

  /** Injected. */
  @Inject
  public Ldm4jWorkersResource(Ldm4jQueue queue) {
    this.queue = queue;
  }

  /**
   * The workers.
   *
   * @param workers the live workers, in id order
   */
  public record WorkerList(List<WorkerStatus> workers) {}

  /** The live workers. */
  @GET
  public WorkerList workers() {
    JobQueue q = queue.queue().orElseThrow(() -> new ApiException(404, "invalid_request_error", null, "no_queue",
        "this node runs its generations itself (quarkus.ldm4j.queue.kind=local): it has no workers", null));
    try {
      return new WorkerList(q.workers());
    } catch (QueueException.Unavailable e) {
      throw new ApiException(503, "server_error", null, "queue_unavailable", e.getMessage(), 5);
    }
  }
}
