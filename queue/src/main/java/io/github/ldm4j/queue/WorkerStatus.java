package io.github.ldm4j.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a worker's last heartbeat said.
 *
 * @param id its id
 * @param models the models it serves
 * @param device the device it runs on
 * @param currentJob the job it runs now, if any
 * @param started when it started
 * @param lastBeat when it last beat
 * @param completed jobs whose outcome it stored
 */
public record WorkerStatus(String id, List<String> models, String device, Optional<String> currentJob, Instant started,
    Instant lastBeat, long completed) {

  /** Validates and copies. */
  public WorkerStatus {
    Objects.requireNonNull(id, "id");
    models = List.copyOf(models);
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(currentJob, "currentJob");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(lastBeat, "lastBeat");
  }
}
