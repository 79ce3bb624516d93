package io.github.ldm4j.queue.internal;

import io.github.ldm4j.generate.GenerationResult;
import java.util.Objects;
import java.util.Optional;

/**
 * How a job ended, as a worker stores it under the job id.
 *
 * @param status how it ended
 * @param message why, for anything but {@link Status#DONE} ("" then)
 * @param result the images, present exactly for {@link Status#DONE}
 */
public record Outcome(Status status, String message, Optional<GenerationResult> result) {

  /** How a job ended. */
  public enum Status {
    /** Generated. */
    DONE,
    /** Refused before running: outside what the model can run (an HTTP 400). */
    INVALID,
    /** Refused by the generator while running (an HTTP 422). */
    UNPROCESSABLE,
    /** Failed in the worker (an HTTP 500). */
    FAILED,
    /** Cancelled through the job's cancel flag. */
    CANCELLED,
    /** Moved to the dead-letter stream after too many deliveries (an HTTP 500). */
    DEAD_LETTER
  }

  /** Validates. */
  public Outcome {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(result, "result");
    if (result.isPresent() != (status == Status.DONE)) {
      throw new IllegalArgumentException("an outcome has a result exactly when it is DONE, got " + status);
    }
  }

  /** A generated result. */
  public static Outcome done(GenerationResult result) {
    return new Outcome(Status.DONE, "", Optional.of(result));
  }

  /** Anything but a result. */
  public static Outcome failed(Status status, String message) {
    return new Outcome(status, message, Optional.empty());
  }
}
