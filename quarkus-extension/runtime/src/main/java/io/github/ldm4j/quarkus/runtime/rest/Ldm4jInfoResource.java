package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.quarkus.runtime.GenerationService;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.ProgressUpdate;
import io.github.ldm4j.quarkus.runtime.TaskEvent;
import io.github.ldm4j.quarkus.runtime.TaskRegistry;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.samplers.StepSchedulers;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * {@code GET /ldm4j/samplers}, {@code GET /ldm4j/hires-upscalers}, {@code GET /ldm4j/models} and the SSE streams {@code GET
 * /ldm4j/progress} (every generation) and {@code GET /ldm4j/progress/{taskId}} (one task).
 */
@Path("/ldm4j")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public class Ldm4jInfoResource {

  private final Ldm4jPipelines pipelines;
  private final GenerationService service;
  private final TaskRegistry tasks;
  private final Ldm4jConfig config;

  /** Injected. */
  @Inject
  public Ldm4jInfoResource(Ldm4jPipelines pipelines, GenerationService service, TaskRegistry tasks,
      Ldm4jConfig config) {
    this.pipelines = pipelines;
    this.service = service;
    this.tasks = tasks;
    this.config = config;
  }

  /**
   * Server-Sent Events of one task (the {@code task_id} / {@code force_task_id} of a generation
   * request): its {@link TaskEvent}s from the start, in order (queued, each step, then one terminal
   * event), after which the stream ends. A subscriber may connect before the request arrives. 400 for
   * a malformed id, 429 when too many streams are open or ids awaited.
   */
  @GET
  @Path("/progress/{taskId}")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<TaskEvent> taskProgress(@RestPath String taskId) {
    try {
      return tasks.subscribe(taskId);
    } catch (TaskRegistry.InvalidTaskIdException e) {
      throw ApiException.invalid("task_id", e.getMessage());
    } catch (TaskRegistry.TooManyTasksException e) {
      throw new ApiException(429, "rate_limit_error", "task_id", "too_many_tasks", e.getMessage(),
          config.limits().retryAfterSeconds());
    }
  }

  /** Server-Sent Events: one JSON {@link ProgressUpdate} per step of every generation, in order. */
  @GET
  @Path("/progress")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @RestStreamElementType(MediaType.APPLICATION_JSON)
  public Multi<ProgressUpdate> progress() {
    return service.progressUpdates();
  }

  /**
   * The registered samplers and schedules.
   *
   * @param samplers sampler names
   * @param schedulers schedule names
   */
  public record SamplerList(List<String> samplers, List<String> schedulers) {}

  /**
   * The models.
   *
   * @param defaultModel the default model's name
   * @param models every configured model
   * @param activeModel the model serving requests that name none (A1111's {@code sd_model_checkpoint})
   * @param loaded the pipelines opened on demand, least recently used first
   */
  public record ModelList(String defaultModel, List<Model> models, String activeModel, List<Loaded> loaded) {}

  /**
   * A pipeline opened on demand (a library checkpoint, a checkpoint with LoRAs or a separate VAE).
   *
   * @param checkpoint the checkpoint file
   * @param vae the separate VAE file, or null
   * @param loras each LoRA file with its text-encoder and UNet multipliers ({@code FILE:TE:UNET})
   */
  public record Loaded(String checkpoint, String vae, List<String> loras) {}

  /**
   * One model.
   *
   * @param name its name
   * @param path the folder it was opened from
   */
  public record Model(String name, String path) {}

  /**
   * The hires fix's upscalers ({@code hr_upscaler} of {@code POST /sdapi/v1/txt2img}, {@code
   * hires_upscaler} of {@code POST /v1/images/generations}).
   *
   * @param defaultUpscaler the one used when a request names none
   * @param upscalers every upscaler, A1111's names, latent ones first
   */
  public record HiresUpscalerList(@com.fasterxml.jackson.annotation.JsonProperty("default") String defaultUpscaler,
      List<HiresUpscalerItem> upscalers) {}

  /**
   * One hires upscaler.
   *
   * @param name its A1111 name
   * @param latent whether it enlarges the latent (else it decodes, resizes the pixels and encodes again)
   */
  public record HiresUpscalerItem(String name, boolean latent) {}

  /** The hires fix's upscalers. */
  @GET
  @Path("/hires-upscalers")
  public HiresUpscalerList hiresUpscalers() {
    return new HiresUpscalerList(HiresUpscaler.DEFAULT, java.util.Arrays.stream(HiresUpscaler.values())
        .map(u -> new HiresUpscalerItem(u.a1111Name(), u.isLatent())).toList());
  }

  /** The samplers and schedules. */
  @GET
  @Path("/samplers")
  public SamplerList samplers() {
    return new SamplerList(Samplers.names(), StepSchedulers.names());
  }

  /** The configured models, the active one and the pipelines opened on demand. */
  @GET
  @Path("/models")
  public ModelList models() {
    return new ModelList(pipelines.defaultName(),
        pipelines.names().stream().map(n -> new Model(n, pipelines.folder(n).toString())).toList(),
        pipelines.active().model(),
        pipelines.cache().keys().stream().map(k -> new Loaded(k.checkpoint().toString(),
            k.vae().map(Object::toString).orElse(null), k.loras().loras().stream().map(Object::toString).toList())).toList());
  }
}
