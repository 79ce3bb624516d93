package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.github.ldm4j.checkpoint.library.ModelEntry;
import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.checkpoint.library.ModelLibrary;
import io.github.ldm4j.checkpoint.library.ModelSelection;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsFile;
import io.github.ldm4j.checkpoint.sd.InferenceConfig;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.PipelineCache;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

/**
 * The AUTOMATIC1111 model-library endpoints, with A1111's response shapes: {@code GET
 * /sdapi/v1/sd-models}, {@code sd-vae}, {@code loras}, {@code embeddings}; {@code POST
 * /sdapi/v1/refresh-checkpoints}, {@code refresh-vae}, {@code refresh-loras}, {@code
 * refresh-embeddings}; {@code GET}/{@code POST /sdapi/v1/options} ({@link #options()}, {@link
 * #setOptions}). The library is {@code quarkus.ldm4j.library.*}; the checkpoint, VAE and LoRA
 * folders are scanned on every listing (so their refresh endpoints only drop cached pipelines whose
 * files are gone); the embeddings are read at startup and by {@code refresh-embeddings}.
 */
@Path("/sdapi/v1")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public class A1111ModelsResource {

  /** {@code sd_vae}'s value for "the checkpoint's own VAE" (A1111 also accepts {@value #NO_VAE}). */
  public static final String AUTOMATIC_VAE = "Automatic";

  /** {@code sd_vae}'s value for no separate VAE. */
  public static final String NO_VAE = "None";

  private final Ldm4jPipelines pipelines;
  private final Generations generations;

  /** Injected. */
  @Inject
  public A1111ModelsResource(Ldm4jPipelines pipelines, Generations generations) {
    this.pipelines = pipelines;
    this.generations = generations;
  }

  /**
   * A checkpoint, as A1111 lists it.
   *
   * @param title {@code name.safetensors [hash]} (the hash once known), what {@code
   *     sd_model_checkpoint} takes; a configured model's name for those
   * @param modelName the name without extension
   * @param hash the first 10 hex digits of the SHA-256 once computed (the first use hashes it), else null
   * @param sha256 the SHA-256 once computed, else null
   * @param filename the file (or a configured model's folder)
   * @param config the CompVis {@code .yaml} beside it, or null
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record SdModelItem(String title, String modelName, String hash, String sha256, String filename, String config) {}

  /**
   * A VAE, as A1111 lists it.
   *
   * @param modelName the name {@code sd_vae} takes (the file name with extension)
   * @param filename the file
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record SdVaeItem(String modelName, String filename) {}

  /**
   * A LoRA, as A1111 lists it.
   *
   * @param name the name {@code <lora:NAME:w>} takes
   * @param alias the trainer's output name ({@code ss_output_name} metadata) when given, else the name
   * @param path the file
   * @param metadata the safetensors header's {@code __metadata__} (empty for other files)
   */
  public record LoraItem(String name, String alias, String path, Map<String, String> metadata) {}

  /**
   * An embedding, as A1111 lists it.
   *
   * @param step training step: null (ldm4j reads only the vectors of an embedding file)
   * @param sdCheckpoint hash of the checkpoint it was trained on: null (not read)
   * @param sdCheckpointName name of that checkpoint: null (not read)
   * @param shape vector width (768 for SD 1.x, 1024 for SD 2.x); null for a file that cannot be read
   * @param vectors number of vectors (token positions it takes); null for a file that cannot be read
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record EmbeddingItem(Integer step, String sdCheckpoint, String sdCheckpointName, Integer shape, Integer vectors) {}

  /**
   * The embeddings, as A1111 lists them.
   *
   * @param loaded by name: the embeddings the active model can use in prompts
   * @param skipped by name: those it cannot (another width than its text encoder's, or a text encoder
   *     whose token table cannot be extended), and the files that cannot be read (their shape and
   *     vectors null)
   */
  public record EmbeddingsResponse(Map<String, EmbeddingItem> loaded, Map<String, EmbeddingItem> skipped) {}

  /** {@code samples_format}'s one value: ldm4j writes PNG (with the parameters text chunk). */
  public static final String SAMPLES_FORMAT = "png";

  /** The key of {@code POST /sdapi/v1/options}' answer that lists the given options not applied, with why. */
  public static final String NOT_APPLIED = "ldm4j_not_applied";

  /** The largest {@code CLIP_stop_at_last_layers} A1111 takes (its slider's end). */
  public static final int MAX_CLIP_SKIP = 12;

  private volatile long etaNoiseSeedDelta;

  /** The checkpoints: the configured models, then the library's. */
  @GET
  @Path("/sd-models")
  @Blocking
  public List<SdModelItem> sdModels() {
    List<SdModelItem> out = new ArrayList<>();
    try {
      for (String name : pipelines.names()) {
        java.nio.file.Path p = pipelines.folder(name);
        Optional<String> sha = ModelSelection.isCheckpoint(p) ? pipelines.hashes().cachedSha256(p) : Optional.empty();
        out.add(new SdModelItem(name, name, sha.map(h -> h.substring(0, 10)).orElse(null), sha.orElse(null),
            p.toString(), configOf(p)));
      }
      for (ModelEntry e : entries(ModelKind.CHECKPOINT)) {
        Optional<String> sha = pipelines.hashes().cachedSha256(e.file());
        out.add(new SdModelItem(title(e, sha), e.name(), sha.map(h -> h.substring(0, 10)).orElse(null),
            sha.orElse(null), e.file().toString(), configOf(e.file())));
      }
    } catch (IOException e) {
      throw unreadable(e);
    }
    return out;
  }

  private static String configOf(java.nio.file.Path p) {
    return ModelSelection.isCheckpoint(p) ? InferenceConfig.beside(p).map(Object::toString).orElse(null) : null;
  }

  /** A1111's title: {@code name.ext [hash10]}, without the hash until it is known. */
  static String title(ModelEntry e, Optional<String> sha) {
    String ext = e.fileName().substring(e.stem().length());
    return e.name() + ext + sha.map(h -> " [" + h.substring(0, 10) + "]").orElse("");
  }

  /** The library's VAEs. */
  @GET
  @Path("/sd-vae")
  @Blocking
  public List<SdVaeItem> sdVae() {
    return entries(ModelKind.VAE).stream().map(e -> new SdVaeItem(vaeName(e), e.file().toString())).toList();
  }

  private static String vaeName(ModelEntry e) {
    return e.name() + e.fileName().substring(e.stem().length());
  }

  /** The library's LoRAs. */
  @GET
  @Path("/loras")
  @Blocking
  public List<LoraItem> loras() {
    List<LoraItem> out = new ArrayList<>();
    for (ModelEntry e : entries(ModelKind.LORA)) {
      Map<String, String> metadata = Map.of();
      if (e.fileName().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
        try (SafetensorsFile f = SafetensorsFile.open(e.file())) {
          metadata = new LinkedHashMap<>(f.metadata());
        } catch (IOException | RuntimeException x) {
          metadata = Map.of(); // listed anyway; using it says what is wrong
        }
      }
      String alias = metadata.getOrDefault("ss_output_name", e.stem());
      out.add(new LoraItem(e.stem(), alias, e.file().toString(), metadata));
    }
    return out;
  }

  /**
   * The library's embeddings as read at startup or by the last {@code refresh-embeddings}, by name (the
   * file name without extension, the word a prompt uses): under {@code loaded} those the active model
   * can use, under {@code skipped} those it cannot and the files that
   * cannot be read, as A1111 sorts them. The active model's pipeline tells which it can use (loaded
   * now if it was evicted).
   */
  @GET
  @Path("/embeddings")
  @Blocking
  public EmbeddingsResponse embeddings() {
    Map<String, EmbeddingItem> loaded = new LinkedHashMap<>();
    Map<String, EmbeddingItem> skipped = new LinkedHashMap<>();
    Map<String, String> unusable;
    try {
      unusable = pipelines.unusableWithActiveModel();
    } catch (Ldm4jPipelines.UnknownModelException | PipelineCache.LoadException | IllegalArgumentException e) {
      throw new ApiException(422, "invalid_request_error", null, "model_unloadable",
          "cannot open the active model to tell which embeddings it can use: " + e.getMessage(), null);
    } catch (TimeoutException e) {
      throw new ApiException(504, "timeout_error", null, "timeout", e.getMessage(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "server_error", null, Generations.SHUTTING_DOWN, "the server is shutting down", null);
    } catch (IOException e) {
      throw unreadable(e);
    }
    for (TextualInversion t : pipelines.embeddings().embeddings()) {
      EmbeddingItem item = new EmbeddingItem(null, null, null, t.width(), t.vectorCount());
      (unusable.containsKey(t.name()) ? skipped : loaded).put(t.name(), item);
    }
    for (String name : pipelines.unreadableEmbeddings().keySet()) {
      skipped.putIfAbsent(name, new EmbeddingItem(null, null, null, null, null));
    }
    return new EmbeddingsResponse(loaded, skipped);
  }

  /** Re-scans the checkpoints: cached pipelines whose files are gone are dropped. */
  @POST
  @Path("/refresh-checkpoints")
  public void refreshCheckpoints() {
    dropGone();
  }

  /** Re-scans the VAEs: cached pipelines whose files are gone are dropped. */
  @POST
  @Path("/refresh-vae")
  public void refreshVae() {
    dropGone();
  }

  /** Re-scans the LoRAs: cached pipelines whose files are gone are dropped. */
  @POST
  @Path("/refresh-loras")
  public void refreshLoras() {
    dropGone();
  }

  /**
   * Reads the embeddings folder again: prompts use the new set from now on (pipelines opened with the
   * old one are replaced on their next use; nothing is reloaded when nothing changed).
   */
  @POST
  @Path("/refresh-embeddings")
  @Blocking
  public void refreshEmbeddings() {
    try {
      pipelines.refreshEmbeddings();
    } catch (IllegalStateException e) {
      throw new ApiException(500, "server_error", null, "library_unreadable", e.getMessage(), null);
    }
  }

  private void dropGone() {
    pipelines.cache().invalidate(k -> !Files.isRegularFile(k.checkpoint())
        || k.vae().filter(v -> !Files.isRegularFile(v)).isPresent()
        || k.loras().loras().stream().anyMatch(l -> !Files.isRegularFile(l.file())));
  }

  /**
   * The options, under A1111's names: {@code sd_model_checkpoint} (the active model: a library
   * checkpoint's title, or a configured model's name), {@code sd_checkpoint_hash} (its SHA-256 once
   * computed, else null; read only), {@code sd_vae} (a library VAE's name, or {@value #AUTOMATIC_VAE}
   * for the checkpoint's own), {@code CLIP_stop_at_last_layers} (the CLIP skip of the requests),
   * {@code samples_format} ({@value #SAMPLES_FORMAT}), {@code eta_noise_seed_delta} (as last set;
   * not applied, see {@link #setOptions}).
   */
  @GET
  @Path("/options")
  @Blocking
  public Map<String, Object> options() {
    Ldm4jPipelines.Active a = pipelines.active();
    String model = a.model();
    Optional<String> sha = Optional.empty();
    try {
      java.nio.file.Path file = pipelines.names().contains(model) ? pipelines.folder(model) : null;
      Optional<ModelEntry> e = file != null ? Optional.empty() : pipelines.libraryEntry(ModelKind.CHECKPOINT, model);
      if (e.isPresent()) {
        file = e.get().file();
      }
      sha = file != null && ModelSelection.isCheckpoint(file) ? pipelines.hashes().cachedSha256(file) : Optional.empty();
      if (e.isPresent()) {
        model = title(e.get(), sha);
      }
    } catch (IOException | IllegalArgumentException x) {
      // the active checkpoint's file is gone: its name as it was set
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sd_model_checkpoint", model);
    out.put("sd_checkpoint_hash", sha.orElse(null));
    out.put("sd_vae", a.vae().orElse(AUTOMATIC_VAE));
    out.put("CLIP_stop_at_last_layers", pipelines.defaults().clipSkip());
    out.put("samples_format", SAMPLES_FORMAT);
    out.put("eta_noise_seed_delta", etaNoiseSeedDelta);
    return out;
  }

  /**
   * Sets options; takes the whole object {@code GET} answers (as Open WebUI posts it back) or any
   * part of it. Applied: {@code sd_model_checkpoint} (a title or name of {@code GET
   * /sdapi/v1/sd-models}) makes that model serve the requests that name none, loading it now; {@code
   * sd_vae} (a name of {@code GET /sdapi/v1/sd-vae}, or {@value #AUTOMATIC_VAE} / {@value #NO_VAE} for
   * the checkpoint's own) is put on checkpoints; {@code CLIP_stop_at_last_layers} (1 to {@value
   * #MAX_CLIP_SKIP}) is the CLIP skip of later generations; {@code samples_format} must be {@value
   * #SAMPLES_FORMAT}. {@code eta_noise_seed_delta} (an integer ≥ 0) is stored and answered by {@code
   * GET} but not applied: ldm4j's ancestral samplers do not draw their noise from A1111's
   * seed-plus-delta generator, so a non-zero value is listed as not applied. A read-only option ({@code
   * sd_checkpoint_hash}) and an option ldm4j does not serve are ignored. The answer is the options
   * after the change, with {@value #NOT_APPLIED}: the given options not applied, each with why. 400
   * naming the option for a value of the wrong type or out of range, an unknown model or VAE, or
   * another samples format; then nothing is changed.
   */
  @POST
  @Path("/options")
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  public Map<String, Object> setOptions(@RequestBody(required = true, description = "the options to set",
      content = @Content(mediaType = MediaType.APPLICATION_JSON)) byte[] body) {
    @SuppressWarnings("unchecked")
    Map<String, Object> given = generations.parse(body, Map.class);
    Map<String, String> notApplied = new LinkedHashMap<>();
    Integer clipSkip = null;
    Long ensd = null;
    for (Map.Entry<String, Object> o : given.entrySet()) {
      String k = o.getKey();
      Object v = o.getValue();
      switch (k) {
        case "sd_model_checkpoint", "sd_vae" -> {
          if (!(v instanceof String)) {
            throw ApiException.invalid(k, "option '" + k + "' must be a string");
          }
        }
        case "CLIP_stop_at_last_layers" -> clipSkip = clipSkipOption(k, k, v);
        case "samples_format" -> samplesFormatOption(k, k, v);
        case "eta_noise_seed_delta" -> {
          ensd = ensdOption(k, k, v);
          if (ensd != 0) {
            notApplied.put(k, "stored, not applied: ldm4j's ancestral noise is not seeded with seed + delta as A1111's");
          }
        }
        case "sd_checkpoint_hash" -> notApplied.put(k, "read only");
        default -> notApplied.put(k, "not served by ldm4j");
      }
    }
    if (given.containsKey("sd_model_checkpoint") || given.containsKey("sd_vae")) {
      activate(given);
    }
    if (clipSkip != null) {
      pipelines.clipSkip(clipSkip);
    }
    if (ensd != null) {
      etaNoiseSeedDelta = ensd;
    }
    Map<String, Object> out = options();
    out.put(NOT_APPLIED, notApplied);
    return out;
  }

  /** The integral JSON number {@code v} of option {@code key}; 400 naming it otherwise. */
  private static long integer(String param, String key, Object v) {
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
      return n.longValue();
    }
    throw ApiException.invalid(param, "option '" + key + "' must be an integer");
  }

  // The rules of the options both POST /sdapi/v1/options and a request's override_settings take (one
  // home): 400 naming param (the key, or "override_settings").

  /** {@code CLIP_stop_at_last_layers}: an integer in 1..{@value #MAX_CLIP_SKIP}. */
  static int clipSkipOption(String param, String key, Object v) {
    long n = integer(param, key, v);
    if (n < 1 || n > MAX_CLIP_SKIP) {
      throw ApiException.invalid(param, "option '" + key + "' must be in 1.." + MAX_CLIP_SKIP
          + " (1 = the last layer), got " + n);
    }
    return (int) n;
  }

  /** {@code samples_format}: {@value #SAMPLES_FORMAT} (any case). */
  static void samplesFormatOption(String param, String key, Object v) {
    if (!(v instanceof String f)) {
      throw ApiException.invalid(param, "option '" + key + "' must be a string");
    }
    if (!f.strip().equalsIgnoreCase(SAMPLES_FORMAT)) {
      throw ApiException.invalid(param, "samples_format '" + f + "' is not served: ldm4j writes PNG only");
    }
  }

  /** {@code eta_noise_seed_delta}: an integer ≥ 0. */
  static long ensdOption(String param, String key, Object v) {
    long n = integer(param, key, v);
    if (n < 0) {
      throw ApiException.invalid(param, "option '" + key + "' must be >= 0, got " + n);
    }
    return n;
  }

  private void activate(Map<String, Object> given) {
    Ldm4jPipelines.Active a = pipelines.active();
    String model = given.containsKey("sd_model_checkpoint") ? (String) given.get("sd_model_checkpoint") : a.model();
    Optional<String> vae = a.vae();
    if (given.containsKey("sd_vae")) {
      String v = (String) given.get("sd_vae");
      vae = v.equals(AUTOMATIC_VAE) || v.equals(NO_VAE) ? Optional.empty() : Optional.of(v);
    }
    try {
      if (vae.isPresent() && pipelines.libraryEntry(ModelKind.VAE, vae.get()).isEmpty()) {
        throw ApiException.invalid("sd_vae", "unknown VAE '" + vae.get() + "' (GET /sdapi/v1/sd-vae lists them)");
      }
      pipelines.activate(model, vae);
    } catch (Ldm4jPipelines.UnknownModelException e) {
      throw ApiException.invalid("sd_model_checkpoint", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(given.containsKey("sd_vae") ? "sd_vae" : "sd_model_checkpoint", e.getMessage());
    } catch (PipelineCache.LoadException e) {
      throw new ApiException(422, "invalid_request_error", "sd_model_checkpoint", "model_unloadable",
          "cannot open model '" + model + "': " + e.getMessage(), null);
    } catch (TimeoutException e) {
      throw new ApiException(504, "timeout_error", null, "timeout", e.getMessage(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "server_error", null, Generations.SHUTTING_DOWN, "the server is shutting down", null);
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  private List<ModelEntry> entries(ModelKind kind) {
    Optional<ModelLibrary> l = pipelines.library();
    if (l.isEmpty()) {
      return List.of();
    }
    try {
      return l.get().list(kind);
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  private static ApiException unreadable(IOException e) {
    return new ApiException(500, "server_error", null, "library_unreadable", "cannot read the model library: "
        + e.getMessage(), null);
  }
}
