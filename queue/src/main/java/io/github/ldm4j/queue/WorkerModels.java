package io.github.ldm4j.queue;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.sampler.CancellationToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The models a worker serves and how it opens what a job runs on: its model with the job's {@link
 * JobSelection} (LoRAs, VAE) resolved against the worker's own library. The Quarkus extension's
 * implementation resolves them as a local node does (the same pipelines, the same images' parameters);
 * {@link #of} serves fixed generators and refuses LoRAs and VAE overrides.
 */
public interface WorkerModels {

  /** The names of the models served (one stream each). */
  List<String> names();

  /**
   * What a job of {@code model} with {@code selection} runs on; the worker closes it after the job.
   *
   * @throws IllegalArgumentException naming what this worker lacks (a LoRA, a VAE, the model): the
   *     job fails as {@link QueueException.Failed.Kind#INVALID} (400) with the message, not retried
   * @throws IOException when a file cannot be read (the job fails, 500)
   */
  Run open(String model, JobSelection selection) throws IOException;

  /** One job's pipeline. */
  interface Run extends AutoCloseable {

    /** The generator (its limits and sizes are checked before the run). */
    Generator generator();

    /**
     * Runs {@code request}, as a local node would, with the images' parameters of the selection.
     *
     * @throws IllegalArgumentException when the request cannot run on it (422, or 400 for an
     *     unusable embedding)
     */
    GenerationResult generate(GenerationRequest request, ProgressListener listener, CancellationToken cancellation);

    /** Releases the pipeline (idempotent). */
    @Override
    void close();
  }

  /**
   * Fixed generators by model name (not owned): a job runs with {@link Generator#generate}; one
   * naming LoRAs or a VAE fails naming them, since these generators have no library to find them in.
   */
  static WorkerModels of(Map<String, Generator> generators) {
    Map<String, Generator> copy = new LinkedHashMap<>(generators);
    copy.values().forEach(g -> Objects.requireNonNull(g, "generator"));
    return new WorkerModels() {
      @Override
      public List<String> names() {
        return List.copyOf(copy.keySet());
      }

      @Override
      public Run open(String model, JobSelection selection) {
        Generator g = copy.get(model);
        if (g == null) {
          throw new IllegalArgumentException("this worker does not serve the model '" + model + "'");
        }
        if (!selection.loras().isEmpty()) {
          throw new IllegalArgumentException("LoRA '" + selection.loras().getFirst().name() + "' is not on this worker:"
              + " it runs a fixed model without a model library");
        }
        if (selection.vae().isPresent()) {
          throw new IllegalArgumentException("VAE '" + selection.vae().get() + "' is not on this worker: it runs a"
              + " fixed model without a model library");
        }
        return new Run() {
          @Override
          public Generator generator() {
            return g;
          }

          @Override
          public GenerationResult generate(GenerationRequest request, ProgressListener listener,
              CancellationToken cancellation) {
            return g.generate(request, listener, cancellation);
          }

          @Override
          public void close() {}
        };
      }
    };
  }
}
