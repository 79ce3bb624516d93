package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.checkpoint.library.ModelEntry;
import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.Ldm4jQueue;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestPath;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} in OpenAI's shape: the ids the images
 * endpoints' {@code model} field takes — the configured models, the model library's checkpoints and
 * OpenAI's usual image model ids ({@link #OPENAI_IDS}), served by the active model. {@code GET
 * /v1/models/{id}} answers for every id {@code model} takes (also an A1111 title {@code
 * name.safetensors [hash]} or any other {@code dall-e-*} / {@code gpt-image-*} id, {@link
 * Ldm4jPipelines#isOpenAiModelId}) and 404 with the OpenAI error body otherwise. On an API node of the
 * Redis queue they are the configured model names (workers hold the models). Each model's {@code
 * created} is its folder's or file's modification time (an OpenAI id: the active model's).
 */
@Path("/v1/models")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public class OpenAiModelsResource {

  /** OpenAI's image model ids listed (every {@code dall-e-*} / {@code gpt-image-*} id is taken). */
  public static final List<String> OPENAI_IDS = List.of("dall-e-2", "dall-e-3", "gpt-image-1");

  /** The owner every model is listed with. */
  static final String OWNER = "ldm4j";

  private final Ldm4jPipelines pipelines;
  private final Ldm4jQueue queue;
  private final Ldm4jConfig config;

  /** Injected. */
  @Inject
  public OpenAiModelsResource(Ldm4jPipelines pipelines, Ldm4jQueue queue, Ldm4jConfig config) {
    this.pipelines = pipelines;
    this.queue = queue;
    this.config = config;
  }

  /**
   * One model.
   *
   * @param id what {@code model} takes
   * @param object {@code "model"}
   * @param created Unix seconds: the model file's or folder's modification time (0 when unknown)
   * @param owned_by {@code "ldm4j"}
   */
  public record Model(String id, String object, long created, String owned_by) {}

  /**
   * The list.
   *
   * @param object {@code "list"}
   * @param data the models
   */
  public record ModelList(String object, List<Model> data) {}

  /** The models {@code model} takes. */
  @GET
  @APIResponse(responseCode = "200", description = "the models",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ModelList.class)))
  public ModelList list() {
    Map<String, java.nio.file.Path> ids = new LinkedHashMap<>();
    if (queue.queue().isPresent()) {
      ids.put(config.model().name(), null);
      config.models().keySet().forEach(n -> ids.put(n, null));
    } else {
      pipelines.names().forEach(n -> ids.put(n, pipelines.folder(n)));
      if (pipelines.library().isPresent()) {
        try {
          for (ModelEntry e : pipelines.library().get().list(ModelKind.CHECKPOINT)) {
            ids.putIfAbsent(e.name(), e.file());
          }
        } catch (IOException e) {
          throw new ApiException(500, "server_error", null, "library_unreadable",
              "cannot read the model library: " + e.getMessage(), null);
        }
      }
    }
    java.nio.file.Path active = activePath();
    OPENAI_IDS.forEach(id -> ids.putIfAbsent(id, active));
    List<Model> data = new ArrayList<>();
    ids.forEach((id, path) -> data.add(new Model(id, "model", created(path), OWNER)));
    return new ModelList("list", data);
  }

  /** One model; 404 {@code model_not_found} unless {@code model} takes {@code id}. */
  @GET
  @Path("/{id: .+}")
  @APIResponse(responseCode = "200", description = "the model",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Model.class)))
  @APIResponse(responseCode = "404", description = "an OpenAI error body: unknown model",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
  public Model get(@RestPath String id) {
    if (queue.queue().isPresent()) {
      if (id.equals(config.model().name()) || config.models().containsKey(id) || Ldm4jPipelines.isOpenAiModelId(id)) {
        return new Model(id, "model", 0, OWNER);
      }
      throw notFound(id, "known: " + list().data().stream().map(Model::id).toList());
    }
    try {
      return new Model(id, "model", created(pipelines.target(id).path()), OWNER);
    } catch (Ldm4jPipelines.UnknownModelException e) {
      throw notFound(id, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw notFound(id, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "server_error", null, "library_unreadable", "cannot read the model library: "
          + e.getMessage(), null);
    }
  }

  private static ApiException notFound(String id, String message) {
    return new ApiException(404, "invalid_request_error", "model", "model_not_found",
        message.startsWith("unknown model") ? message : "unknown model '" + id + "': " + message, null);
  }

  private java.nio.file.Path activePath() {
    if (queue.queue().isPresent()) {
      return null;
    }
    try {
      return pipelines.target(null).path();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long created(java.nio.file.Path path) {
    if (path == null) {
      return 0;
    }
    try {
      return Files.getLastModifiedTime(path).toMillis() / 1000;
    } catch (IOException e) {
      return 0;
    }
  }
}
