package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.checkpoint.library.ModelSelection;
import io.github.ldm4j.checkpoint.library.NamedLora;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.generate.Provenance;
import io.github.ldm4j.queue.JobSelection;
import io.github.ldm4j.queue.WorkerModels;
import io.github.ldm4j.sampler.CancellationToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The models of a queue worker opened through {@link Ldm4jPipelines}, the pipelines of a local node:
 * a job's model, LoRAs (by name, in the worker's library's LoRA folder), VAE (by name, or {@code
 * Automatic} / {@code None}) and textual-inversion embeddings (found in its prompt) are resolved and
 * applied as a local {@code serve} resolves them for the same request ({@link Ldm4jPipelines#use},
 * {@link ModelSelection}), and the images' parameters are the same (model, VAE, LoRA and TI hashes),
 * so a worker answers a job with the bytes a local node would. Used by a {@code serve} node with
 * {@code quarkus.ldm4j.worker.enabled=true} and by {@code ldm4j worker}.
 *
 * <p><b>Ownership:</b> does not own the pipelines; each {@link Run} releases its pipeline when closed.
 */
public final class PipelineWorkerModels implements WorkerModels {

  private final Ldm4jPipelines pipelines;

  /** The models of {@code pipelines} (not owned). */
  public PipelineWorkerModels(Ldm4jPipelines pipelines) {
    this.pipelines = Objects.requireNonNull(pipelines, "pipelines");
  }

  @Override
  public List<String> names() {
    return pipelines.names();
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException naming an unknown model, a LoRA or VAE the library lacks (or
   *     no library), LoRAs on a model folder ldm4j did not convert
   */
  @Override
  public Run open(String model, JobSelection selection) throws IOException {
    Ldm4jPipelines.Target target;
    try {
      target = pipelines.target(model);
    } catch (Ldm4jPipelines.UnknownModelException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    List<NamedLora> loras;
    try {
      loras = ModelSelection.resolveLoras(pipelines.library(), selection.loras(),
          "the worker has no model library (ldm4j worker --models-dir DIR, quarkus.ldm4j.library.models-dir or "
              + "quarkus.ldm4j.library.lora-dir)");
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      Optional<Path> folder = pipelines.library().flatMap(l -> l.folder(ModelKind.LORA));
      if (folder.isPresent()) {
        message = message.replace(folder.get().toString(), "Lora/"); // no server paths in answers
      }
      throw new IllegalArgumentException(message, e);
    }
    Optional<String> noLoras = loras.isEmpty() ? Optional.empty() : Ldm4jPipelines.lorasRefused(target);
    if (noLoras.isPresent()) {
      throw new IllegalArgumentException(noLoras.get());
    }
    Optional<String> vae = selection.vae().isEmpty() ? pipelines.active().vae()
        : selection.vae().get().equals(io.github.ldm4j.quarkus.runtime.rest.A1111ModelsResource.AUTOMATIC_VAE)
            || selection.vae().get().equals(io.github.ldm4j.quarkus.runtime.rest.A1111ModelsResource.NO_VAE)
            ? Optional.empty() : selection.vae();
    if (selection.vae().isPresent() && vae.isPresent() && pipelines.libraryEntry(ModelKind.VAE, vae.get()).isEmpty()) {
      throw new IllegalArgumentException("unknown VAE '" + vae.get() + "' (not in the worker's library)");
    }
    Ldm4jPipelines.Use use;
    try {
      use = pipelines.use(target, vae, loras);
    } catch (PipelineCache.LoadException e) {
      throw new IOException("cannot open model '" + target.name() + "'" + (loras.isEmpty() ? "" : " with LoRAs "
          + loras.stream().map(NamedLora::name).toList()) + ": " + e.getMessage(), e);
    } catch (TimeoutException e) {
      throw new IOException(e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while opening model '" + target.name() + "'", e);
    }
    return new PipelineRun(use, selection);
  }

  /** One job's use of a pipeline. */
  private final class PipelineRun implements Run {
    private final Ldm4jPipelines.Use use;
    private final JobSelection selection;

    PipelineRun(Ldm4jPipelines.Use use, JobSelection selection) {
      this.use = use;
      this.selection = selection;
    }

    @Override
    public Generator generator() {
      return use.generator();
    }

    @Override
    public GenerationResult generate(GenerationRequest request, ProgressListener listener,
        CancellationToken cancellation) {
      Provenance provenance;
      try {
        provenance = use.selection().provenance(selection.prompt(), selection.negativePrompt(), pipelines.hashes());
        List<TextualInversion> used = use.generator().embeddingsIn(request);
        if (!used.isEmpty()) {
          provenance = provenance.withTiHashes(use.embeddings().tiHashes(used, pipelines.hashes()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot hash the model files: " + e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        Optional<Path> folder = pipelines.library().flatMap(l -> l.folder(ModelKind.EMBEDDING));
        if (folder.isPresent()) {
          message = message.replace(folder.get().toString() + java.io.File.separator, "embeddings/")
              .replace(folder.get().toString(), "embeddings/");
        }
        throw new IllegalArgumentException(message, e);
      }
      return use.generator().generate(request, provenance, listener, cancellation);
    }

    @Override
    public void close() {
      use.close();
    }
  }
}
