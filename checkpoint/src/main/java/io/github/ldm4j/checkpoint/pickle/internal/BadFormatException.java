package io.github.ldm4j.checkpoint.pickle.internal;

/**
 * A problem with the bytes being read (a malformed pickle, a forbidden global, a zip directory that
 * does not add up), said without the file: the reader that knows the file turns it into a {@link
 * io.github.ldm4j.checkpoint.CheckpointFormatException}.
 */
public final class BadFormatException extends Exception {

  private static final long serialVersionUID = 1L;

  /** @param message what is wrong, for a person */
  public BadFormatException(String message) {
    super(message);
  }
}
