package io.github.ldm4j.quarkus.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Objects;

/**
 * One event of one task's progress stream ({@code GET /ldm4j/progress/{taskId}}), sent as JSON
 * without its null fields: {@code {"task_id":"t1","event":"queued"}}, {@code
 * {"task_id":"t1","event":"step","step":3,"total":20,"sigma":4.1}}, then exactly one terminal
 * event: {@code {"task_id":"t1","event":"done"}}, {@code {"task_id":"t1","event":"failed","message":"…"}}
 * or {@code {"task_id":"t1","event":"cancelled","reason":"disconnect"}}.
 *
 * @param taskId the client-chosen task id
 * @param event the kind of event
 * @param step steps done, 1-based (step events only)
 * @param total steps of the generation (step events only)
 * @param sigma the noise level reached (step events only)
 * @param message what failed (failed events only)
 * @param reason why it was cancelled: {@code disconnect}, {@code timeout}, {@code shutdown} (cancelled events only)
 * @param preview the step's latent-space preview of the first image, a base64 PNG at latent resolution (step
 *     events only, optional; a late subscriber gets it on the latest step only, see {@link TaskRegistry.Task#step})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskEvent(@JsonProperty("task_id") String taskId, Kind event, Integer step, Integer total, Double sigma,
    String message, String reason, String preview) {

  /** Validates the fields each kind carries. */
  public TaskEvent {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(event, "event");
    if ((event == Kind.STEP) != (step != null && total != null && sigma != null)) {
      throw new IllegalArgumentException("step, total and sigma are set on step events only");
    }
    if ((event == Kind.FAILED) != (message != null) || (event == Kind.CANCELLED) != (reason != null)) {
      throw new IllegalArgumentException("message is set on failed events, reason on cancelled ones");
    }
    if (preview != null && event != Kind.STEP) {
      throw new IllegalArgumentException("preview is set on step events only");
    }
  }

  /** This event without its preview. */
  TaskEvent withoutPreview() {
    return preview == null ? this : new TaskEvent(taskId, event, step, total, sigma, message, reason, null);
  }

  /** The kind of a task event. */
  public enum Kind {
    /** Accepted into the generation queue. */
    QUEUED,
    /** One sampler step done. */
    STEP,
    /** Finished with images (terminal). */
    DONE,
    /** Failed (terminal). */
    FAILED,
    /** Cancelled (terminal). */
    CANCELLED;

    /** Whether the stream ends after this event. */
    public boolean terminal() {
      return this == DONE || this == FAILED || this == CANCELLED;
    }

    /** The JSON name: lower case. */
    @JsonValue
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static TaskEvent queued(String id) {
    return new TaskEvent(id, Kind.QUEUED, null, null, null, null, null, null);
  }

  static TaskEvent step(String id, int step, int total, double sigma, String preview) {
    return new TaskEvent(id, Kind.STEP, step, total, sigma, null, null, preview);
  }

  static TaskEvent done(String id) {
    return new TaskEvent(id, Kind.DONE, null, null, null, null, null, null);
  }

  static TaskEvent failed(String id, String message) {
    return new TaskEvent(id, Kind.FAILED, null, null, null, message == null ? "failed" : message, null, null);
  }

  static TaskEvent cancelled(String id, String reason) {
    return new TaskEvent(id, Kind.CANCELLED, null, null, null, null, reason, null);
  }
}
