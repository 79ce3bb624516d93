package io.github.ldm4j.generate;

/** Receives {@link ProgressEvent}s on the generating thread, in step order. */
@FunctionalInterface
public interface ProgressListener {

  /** Ignores progress. */
  ProgressListener NONE = e -> {};

  /** Called after each sampler step. */
  void onProgress(ProgressEvent event);

  /** Whether events should carry a preview image (costs a small latent → RGB projection per step). */
  default boolean wantsPreview() {
    return false;
  }
}
