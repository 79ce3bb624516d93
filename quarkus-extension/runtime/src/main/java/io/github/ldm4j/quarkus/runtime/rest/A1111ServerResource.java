package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.generate.ParametersText;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.samplers.SamplerNames;
import io.github.ldm4j.samplers.ScheduleOptions;
import io.github.ldm4j.samplers.StepSchedulers;
import io.github.ldm4j.samplers.schedules.Karras;
import io.github.ldm4j.samplers.schedules.Normal;
import io.github.ldm4j.samplers.schedules.Simple;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

/**
 * The AUTOMATIC1111 endpoints clients call to look the server over and to steer a running
 * generation, with A1111's response shapes: {@code GET /sdapi/v1/schedulers}, {@code upscalers},
 * {@code latent-upscale-modes}, {@code cmd-flags}; {@code POST /sdapi/v1/interrupt}, {@code skip},
 * {@code png-info}.
 */
@Path("/sdapi/v1")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public class A1111ServerResource {

  /**
   * The schedules A1111 marks {@code need_inner_model} (they read the model's own sigmas), by ldm4j
   * name; source: AUTOMATIC1111 {@code modules/sd_schedulers.py}.
   */
  private static final Set<String> NEED_INNER_MODEL = Set.of(Normal.NAME, Normal.NAME_SGM, Simple.NAME);

  /** A1111's name of the scheduler that leaves the schedule to the sampler. */
  static final String AUTOMATIC = "automatic";

  private final Generations generations;
  private final Ldm4jConfig config;
  private final Ldm4jPipelines pipelines;

  /** Injected. */
  @Inject
  public A1111ServerResource(Generations generations, Ldm4jConfig config, Ldm4jPipelines pipelines) {
    this.generations = generations;
    this.config = config;
    this.pipelines = pipelines;
  }

  /**
   * A schedule, as A1111 lists it.
   *
   * @param name the name the {@code scheduler} field takes
   * @param label A1111's label ("Karras", "SGM Uniform"), or the name for a schedule A1111 lacks
   * @param aliases other names it takes (the label), or null
   * @param defaultRho the Karras ρ for {@code karras}, else -1 (A1111's "none")
   * @param needInnerModel whether the schedule reads the model's own sigmas (A1111's flag)
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record SchedulerItem(String name, String label, List<String> aliases,
      @JsonProperty("default_rho") double defaultRho, @JsonProperty("need_inner_model") boolean needInnerModel) {}

  /**
   * A pixel upscaler, as A1111 lists it.
   *
   * @param name the name {@code hr_upscaler} takes
   * @param modelName the model it runs: null (ldm4j's are resampling filters, no model)
   * @param modelPath the model file: null
   * @param modelUrl where the model is fetched from: null
   * @param scale the scale it is made for: 4, A1111's value for its filters
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record UpscalerItem(String name, @JsonProperty("model_name") String modelName,
      @JsonProperty("model_path") String modelPath, @JsonProperty("model_url") String modelUrl, double scale) {}

  /**
   * A latent upscale mode, as A1111 lists it.
   *
   * @param name the name {@code hr_upscaler} takes
   */
  public record LatentUpscaleModeItem(String name) {}

  /**
   * The body of {@code POST /sdapi/v1/png-info}'s answer, as A1111 sends it.
   *
   * @param info the PNG's {@code parameters} text, empty when it has none
   * @param items the image's other text items: none (ldm4j reads only {@code parameters})
   * @param parameters {@code info} read as A1111's {@code parse_generation_parameters} reads it
   *     ({@link ParametersText#parse}); empty when there is no {@code info}
   */
  public record PngInfoResponse(String info, Map<String, String> items, Map<String, String> parameters) {}

  /**
   * The schedules: {@code automatic} (the sampler's own, A1111's default), then every ldm4j schedule
   * ({@link StepSchedulers#names()}).
   */
  @GET
  @Path("/schedulers")
  public List<SchedulerItem> schedulers() {
    List<SchedulerItem> out = new ArrayList<>();
    out.add(new SchedulerItem(AUTOMATIC, "Automatic", null, -1, false));
    for (String name : StepSchedulers.names()) {
      String label = SamplerNames.scheduleLabel(name);
      out.add(new SchedulerItem(name, label, label.equals(name) ? null : List.of(label),
          name.equals(Karras.NAME) ? ScheduleOptions.DEFAULTS.rho() : -1, NEED_INNER_MODEL.contains(name)));
    }
    return out;
  }

  /**
   * The pixel upscalers of the hires fix ({@link HiresUpscaler}'s non-latent ones), after A1111's
   * {@code None}.
   */
  @GET
  @Path("/upscalers")
  public List<UpscalerItem> upscalers() {
    List<UpscalerItem> out = new ArrayList<>();
    out.add(new UpscalerItem("None", null, null, null, 4));
    for (HiresUpscaler u : HiresUpscaler.values()) {
      if (!u.isLatent()) {
        out.add(new UpscalerItem(u.a1111Name(), null, null, null, 4));
      }
    }
    return out;
  }

  /** The latent upscale modes of the hires fix ({@link HiresUpscaler}'s latent ones). */
  @GET
  @Path("/latent-upscale-modes")
  public List<LatentUpscaleModeItem> latentUpscaleModes() {
    List<LatentUpscaleModeItem> out = new ArrayList<>();
    for (HiresUpscaler u : HiresUpscaler.values()) {
      if (u.isLatent()) {
        out.add(new LatentUpscaleModeItem(u.a1111Name()));
      }
    }
    return out;
  }

  /**
   * The command-line flags, under A1111's names, where ldm4j has the setting: {@code api} (true),
   * {@code nowebui} (false: the browser UI is at {@code /}), {@code api_auth} and {@code
   * api_key_set} (whether a scheme is configured; never the secret), {@code device_id} and {@code
   * use_cpu} from {@code quarkus.ldm4j.device}, {@code ckpt} (the default model), {@code
   * ckpt_dir}, {@code vae_dir}, {@code lora_dir}, {@code embeddings_dir} (the library folders,
   * null when unset).
   */
  @GET
  @Path("/cmd-flags")
  public Map<String, Object> cmdFlags() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("api", true);
    out.put("nowebui", false);
    out.put("api_auth", config.apiAuth().filter(s -> !s.isBlank()).isPresent() ? "set" : null);
    out.put("api_key_set", config.apiKey().filter(s -> !s.isBlank()).isPresent() || config.apiKeyFile().isPresent());
    String device = config.device();
    out.put("use_cpu", device.equals("cpu") ? List.of("all") : List.of());
    out.put("device_id", device.contains(":") ? device.substring(device.indexOf(':') + 1) : null);
    out.put("ckpt", config.model().path().map(Object::toString).orElse(null));
    out.put("ckpt_dir", folder(ModelKind.CHECKPOINT));
    out.put("vae_dir", folder(ModelKind.VAE));
    out.put("lora_dir", folder(ModelKind.LORA));
    out.put("embeddings_dir", folder(ModelKind.EMBEDDING));
    return out;
  }

  private String folder(ModelKind kind) {
    return pipelines.library().flatMap(l -> l.folder(kind)).map(Object::toString).orElse(null);
  }

  /**
   * Stops the running generation(s) at their next step; those queued go on and nothing else is
   * cleared. A stopped request answers 499 {@code cancelled} ("cancelled: interrupted"). 200 {@code {}}
   * whether or not something ran, as A1111 answers.
   */
  @POST
  @Path("/interrupt")
  public Map<String, Object> interrupt() {
    generations.service().interrupt();
    return Map.of();
  }

  /**
   * A1111's "skip the current image": ldm4j samples a request's images in one pass, so the current
   * image is the running generation's and skipping stops it as {@code interrupt} does (its request
   * answers 499 "cancelled: skipped"); those queued go on. 200 {@code {}}, as A1111 answers.
   */
  @POST
  @Path("/skip")
  public Map<String, Object> skip() {
    generations.service().skip();
    return Map.of();
  }

  /**
   * The generation parameters of a PNG: {@code {"image": "<base64>"}} (a {@code data:} URL too),
   * as A1111's {@code png-info}. 400 when {@code image} is missing, not base64 or not an image
   * within {@code quarkus.ldm4j.limits.max-*} pixels; 413 over the body limit.
   */
  @POST
  @Path("/png-info")
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  public PngInfoResponse pngInfo(@RequestBody(required = true, description = "{\"image\": base64 PNG}",
      content = @Content(mediaType = MediaType.APPLICATION_JSON)) byte[] body) {
    @SuppressWarnings("unchecked")
    Map<String, Object> given = generations.parse(body, Map.class);
    if (!(given.get("image") instanceof String b64) || b64.isBlank()) {
      throw ApiException.invalid("image", "'image' must be a base64 image");
    }
    String data = b64.startsWith("data:") && b64.contains(",") ? b64.substring(b64.indexOf(',') + 1) : b64;
    String info;
    try {
      info = PngCodec.decode(Base64.getMimeDecoder().decode(data), generations.limits().maxPixels()).parameters()
          .orElse("");
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("image", "'image': " + e.getMessage());
    }
    Map<String, String> parameters;
    try {
      parameters = info.isEmpty() ? Map.of() : ParametersText.parse(info);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("image", "'image': " + e.getMessage());
    }
    return new PngInfoResponse(info, Map.of(), parameters);
  }
}
