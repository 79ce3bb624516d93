package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.samplers.SamplerNames;
import io.github.ldm4j.quarkus.runtime.GenerationService;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The AUTOMATIC1111 web-UI API subset many clients speak: {@code POST /sdapi/v1/txt2img}, {@code
 * POST /sdapi/v1/img2img}, {@code GET /sdapi/v1/samplers}, {@code GET /sdapi/v1/progress}. Sampler names may be A1111's ("Euler a",
 * "DPM++ 2M Karras") or ldm4j's ({@link SamplerNames}).
 */
@Path("/sdapi/v1")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public class A1111Resource {

  /** The error responses, all with the OpenAI error body (documented once per operation). */
  private static final String ERRORS = "an OpenAI error body: "
      + "400 invalid request (error.param names the field), "
      + "401 missing or wrong API key, "
      + "404 unknown model (override_settings.sd_model_checkpoint), "
      + "409 task id in flight, "
      + "413 body too large, "
      + "422 the model cannot run it, "
      + "429 queue full (Retry-After), "
      + "503 shutting down, "
      + "504 timed out";

  private final Generations generations;

  /** Injected. */
  @Inject
  public A1111Resource(Generations generations) {
    this.generations = generations;
  }

  /**
   * The txt2img request (A1111 field names).
   *
   * @param prompt prompt (required)
   * @param negativePrompt negative prompt
   * @param steps steps
   * @param cfgScale guidance scale
   * @param width width
   * @param height height
   * @param seed seed; -1 or absent = random
   * @param samplerName sampler, A1111 or ldm4j name
   * @param scheduler schedule name
   * @param batchSize images
   * @param forceTaskId optional client-chosen task id ({@code [A-Za-z0-9._-]{1,64}}) whose progress
   *     streams at {@code GET /ldm4j/progress/{taskId}}
   * @param loras LoRAs of the library merged into the checkpoint, beside the prompt's {@code
   *     <lora:NAME:W>} tags
   * @param overrideSettings {@code sd_model_checkpoint} and {@code sd_vae} for this request only (as
   *     {@code POST /sdapi/v1/options} takes them); another setting is refused
   * @param enableHr hires fix: first pass at width × height, upscale, img2img second pass ({@link A1111Hires})
   * @param hrScale hires scale factor in [1, 8] (default 2)
   * @param hrResizeX hires target width instead of the scale (multiple of 8; 0 = from the height)
   * @param hrResizeY hires target height instead of the scale (multiple of 8; 0 = from the width)
   * @param hrUpscaler hires upscaler, A1111's name (default "Latent"; {@code GET /ldm4j/hires-upscalers})
   * @param hrSecondPassSteps hires second-pass steps; 0 = as many as {@code steps}
   * @param denoisingStrength hires second-pass strength in (0, 1] (default 0.75)
   * @param hrSamplerName hires sampler: only the first pass's (absent, "", "Use same sampler" or {@code sampler_name})
   * @param hrScheduler hires scheduler: only the first pass's
   * @param hrPrompt hires prompt: only the prompt (absent, "" or {@code prompt})
   * @param hrNegativePrompt hires negative prompt: only the negative prompt
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Txt2ImgRequest(String prompt, String negativePrompt, Integer steps, Double cfgScale, Integer width,
      Integer height, Long seed, String samplerName, String scheduler, Integer batchSize, String forceTaskId,
      List<Generations.LoraEntry> loras, Map<String, Object> overrideSettings,
      Boolean enableHr, Double hrScale, Integer hrResizeX, Integer hrResizeY, String hrUpscaler,
      Integer hrSecondPassSteps, Double denoisingStrength, String hrSamplerName, String hrScheduler, String hrPrompt,
      String hrNegativePrompt) {

    /** The hires-fix fields. */
    A1111Hires hires() {
      return new A1111Hires(enableHr, hrScale, hrResizeX, hrResizeY, hrUpscaler, hrSecondPassSteps, denoisingStrength,
          hrSamplerName, hrScheduler, hrPrompt, hrNegativePrompt);
    }
  }

  /**
   * The response.
   *
   * @param images base64 PNGs
   * @param parameters the request as understood
   * @param info generation info (seeds, sampler), a JSON string as A1111 sends it
   */
  public record Txt2ImgResponse(List<String> images, Map<String, Object> parameters, String info) {}

  /**
   * One sampler.
   *
   * @param name A1111 display name
   * @param aliases ldm4j name
   * @param options none
   */
  public record SamplerItem(String name, List<String> aliases, Map<String, String> options) {}

  /**
   * Progress of the running generation, as A1111 answers it; all zero when none runs.
   *
   * @param progress fraction of the running generation's steps done, in [0, 1]; 0 when idle
   * @param etaRelative estimated seconds left: its running time so far divided by {@code progress},
   *     less that time (A1111's estimate); 0 when idle or before its first step
   * @param state the job and step counts
   * @param currentImage the latest step's latent preview (1/8 of the image size), a base64 PNG, unless
   *     the request set {@code skip_current_image}; null when idle or before a preview exists
   * @param textinfo A1111's text: null
   * @param currentTask the task id of the running generation (its {@code force_task_id}), or null
   */
  public record Progress(double progress, @JsonProperty("eta_relative") double etaRelative, State state,
      @JsonProperty("current_image") String currentImage, String textinfo,
      @JsonProperty("current_task") String currentTask) {}

  /**
   * Progress state, A1111's keys.
   *
   * @param skipped whether the running generation was stopped by {@code POST /sdapi/v1/skip}
   * @param interrupted whether it was stopped by {@code POST /sdapi/v1/interrupt}
   * @param job its task id when it has one, else ""
   * @param jobCount generations running or waiting (0 when idle)
   * @param jobTimestamp when the running generation began, {@code yyyyMMddHHmmss} UTC; "0" when idle
   * @param jobNo index of the running generation among them: 0 (the running one comes first)
   * @param samplingStep steps done
   * @param samplingSteps total steps
   */
  public record State(boolean skipped, boolean interrupted, String job, @JsonProperty("job_count") int jobCount,
      @JsonProperty("job_timestamp") String jobTimestamp, @JsonProperty("job_no") int jobNo,
      @JsonProperty("sampling_step") int samplingStep, @JsonProperty("sampling_steps") int samplingSteps) {}

  /** Text to image; a client that disconnects cancels the generation. */
  @POST
  @Path("/txt2img")
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  @APIResponse(responseCode = "200", description = "the generated images",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Txt2ImgResponse.class)))
  @APIResponse(responseCode = "default", description = ERRORS,
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
  public Txt2ImgResponse txt2img(
      @RequestBody(required = true, description = "the A1111 txt2img request (snake_case fields)",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Txt2ImgRequest.class))) byte[] body,
      @Context HttpServerResponse response) {
    Txt2ImgRequest r = generations.parse(body, Txt2ImgRequest.class);
    Generations.TaskId taskId = Generations.taskId("force_task_id", r.forceTaskId());
    return generations.refusing(taskId, () -> run(r, null, null, 0, r.width(), r.height(), taskId, response));
  }

  /**
   * The img2img request: the txt2img fields plus {@code init_images} (base64 PNG/JPEG, the first is
   * used), optional {@code mask} (base64; white = regenerate) and {@code denoising_strength}
   * (default 0.75). The output has the init image's size.
   *
   * @param prompt prompt (required)
   * @param negativePrompt negative prompt
   * @param steps steps
   * @param cfgScale guidance scale
   * @param seed seed; -1 or absent = random
   * @param samplerName sampler, A1111 or ldm4j name
   * @param scheduler schedule name
   * @param batchSize images
   * @param initImages base64 images; the first is used
   * @param mask base64 mask or null
   * @param denoisingStrength strength in (0, 1]
   * @param forceTaskId optional client-chosen task id, as in txt2img
   * @param loras LoRAs, as in txt2img
   * @param overrideSettings as in txt2img
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Img2ImgRequest(String prompt, String negativePrompt, Integer steps, Double cfgScale, Long seed,
      String samplerName, String scheduler, Integer batchSize, List<String> initImages, String mask,
      Double denoisingStrength, String forceTaskId, List<Generations.LoraEntry> loras,
      Map<String, Object> overrideSettings) {}

  /** Image to image (with {@code mask}: inpainting); a client that disconnects cancels the generation. */
  @POST
  @Path("/img2img")
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  @APIResponse(responseCode = "200", description = "the generated images",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Txt2ImgResponse.class)))
  @APIResponse(responseCode = "default", description = ERRORS,
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
  public Txt2ImgResponse img2img(
      @RequestBody(required = true, description = "the A1111 img2img request (snake_case fields)",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Img2ImgRequest.class))) byte[] body,
      @Context HttpServerResponse response) {
    Img2ImgRequest r = generations.parse(body, Img2ImgRequest.class);
    Generations.TaskId taskId = Generations.taskId("force_task_id", r.forceTaskId());
    return generations.refusing(taskId, () -> {
      if (r.initImages() == null || r.initImages().isEmpty() || r.initImages().getFirst() == null) {
        throw ApiException.invalid("init_images", "'init_images' must hold one base64 image");
      }
      long maxPixels = generations.limits().maxPixels();
      RgbImage init = image("init_images", r.initImages().getFirst(), maxPixels);
      Mask mask = r.mask() == null ? null : Mask.fromImage(image("mask", r.mask(), maxPixels));
      if (mask != null && (mask.width() != init.width() || mask.height() != init.height())) {
        throw ApiException.invalid("mask", "mask is " + mask.width() + "x" + mask.height() + " but the image is "
            + init.width() + "x" + init.height());
      }
      double strength = r.denoisingStrength() == null
          ? Double.parseDouble(GenerationRequest.DEFAULT_STRENGTH) : r.denoisingStrength();
      if (!(strength > 0 && strength <= 1)) {
        throw ApiException.invalid("denoising_strength", "'denoising_strength' must be in (0, 1], got " + strength);
      }
      Txt2ImgRequest common = new Txt2ImgRequest(r.prompt(), r.negativePrompt(), r.steps(), r.cfgScale(), null, null,
          r.seed(), r.samplerName(), r.scheduler(), r.batchSize(), r.forceTaskId(), r.loras(), r.overrideSettings(),
          null, null, null, null, null, null, null, null, null, null, null);
      return run(common, init, mask, strength, init.width(), init.height(), taskId, response);
    });
  }

  private static RgbImage image(String param, String b64, long maxPixels) {
    String data = b64.startsWith("data:") && b64.contains(",") ? b64.substring(b64.indexOf(',') + 1) : b64;
    try {
      return PngCodec.decode(Base64.getMimeDecoder().decode(data), maxPixels).image();
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(param, "'" + param + "': " + e.getMessage());
    }
  }

  /**
   * The field to name when the model cannot run the requested size: the init image for img2img,
   * else the one of width/height the request set, else none.
   */
  private static String sizeParam(RgbImage init, Integer width, Integer height) {
    if (init != null) {
      return "init_images";
    }
    if (width != null && height == null) {
      return "width";
    }
    return height != null && width == null ? "height" : null;
  }

  private Txt2ImgResponse run(Txt2ImgRequest r, RgbImage init, Mask mask, double strength, Integer width,
      Integer height, Generations.TaskId taskId, HttpServerResponse response) {
    Generations.prompt("prompt", r.prompt());
    SamplerNames.Selection chosen = SamplerNames.fromDisplayNames(r.samplerName(), r.scheduler());
    GenerationSettings d = generations.defaults();
    long seed = r.seed() == null || r.seed() < 0 ? Generations.randomSeed() : r.seed();
    GenerationSettings s = generations.settings("sampler_name", "cfg_scale", new Generations.SettingsFields(
        width != null ? width : d.width(), height != null ? height : d.height(),
        r.batchSize() != null ? r.batchSize() : d.batchSize(), r.steps(), chosen.sampler().orElse(null),
        chosen.schedule().orElse(null), r.cfgScale(), seed));
    String negative = r.negativePrompt() == null ? "" : r.negativePrompt();
    Optional<HiresFix> hires = init == null
        ? r.hires().fix(s, r.samplerName(), r.scheduler(), r.prompt(), negative) : Optional.empty(); // hires fix
    Map<String, Object> overrides = r.overrideSettings() == null ? Map.of() : r.overrideSettings();
    for (Map.Entry<String, Object> o : overrides.entrySet()) {
      if (!o.getKey().equals("sd_model_checkpoint") && !o.getKey().equals("sd_vae")) {
        throw ApiException.invalid("override_settings", "override_settings." + o.getKey()
            + " is not served; ldm4j overrides sd_model_checkpoint and sd_vae");
      }
      if (!(o.getValue() instanceof String)) {
        throw ApiException.invalid("override_settings", "override_settings." + o.getKey() + " must be a string");
      }
    }
    Generations.Selected selected = generations.select("override_settings", (String) overrides.get("sd_model_checkpoint"),
        (String) overrides.get("sd_vae"), r.prompt(), negative, r.loras());
    GenerationRequest request;
    try {
      String p = selected.prompt();
      request = init == null ? new GenerationRequest.TextToImage(p, negative, s, hires)
          : mask == null ? new GenerationRequest.ImageToImage(p, negative, s, init, strength)
          : new GenerationRequest.Inpainting(p, negative, s, init, mask, strength);
    } catch (IllegalArgumentException e) {
      selected.release();
      throw ApiException.invalid(null, e.getMessage());
    }
    GenerationResult result = generations.run(selected, request, taskId, response, sizeParam(init, width, height));
    Base64.Encoder b64 = Base64.getEncoder();
    List<String> images = result.images().stream().map(GeneratedImage::png).map(b64::encodeToString).toList();
    List<Long> seeds = result.images().stream().map(GeneratedImage::seed).toList();
    String info = "{\"seed\":" + seeds.getFirst() + ",\"all_seeds\":" + seeds + ",\"sampler_name\":\"" + result.sampler()
        + "\",\"scheduler\":\"" + result.schedule() + "\",\"steps\":" + s.steps() + ",\"width\":" + s.width()
        + ",\"height\":" + s.height() + A1111Hires.infoFields(hires) + "}";
    Map<String, Object> parameters = Map.of("prompt", r.prompt(), "negative_prompt", negative, "steps", s.steps(),
        "cfg_scale", s.guidanceScale(), "width", s.width(), "height", s.height(), "seed", seed,
        "sampler_name", result.sampler(), "scheduler", result.schedule(), "batch_size", s.batchSize());
    return new Txt2ImgResponse(images, parameters, info);
  }

  /** The samplers, A1111-style. */
  @GET
  @Path("/samplers")
  public List<SamplerItem> samplers() {
    return Samplers.names().stream()
        .map(n -> new SamplerItem(SamplerNames.displayName(n), List.of(n), Map.of())).toList();
  }

  /** How long a progress poll with the current image keeps the generations making previews. */
  static final int PREVIEW_INTEREST_SECONDS = 30;

  private static final java.time.format.DateTimeFormatter JOB_TIMESTAMP =
      java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(java.time.ZoneOffset.UTC);

  /**
   * Progress of the running generation, with its task id; the idle answer (all zero) when none
   * runs. Unless {@code skip_current_image} is true (A1111's default is false), the latest step's
   * preview is sent as {@code current_image}, and the generations make a preview at each step for
   * the next {@value #PREVIEW_INTEREST_SECONDS} s (so the first poll of a generation may have none yet).
   */
  @GET
  @Path("/progress")
  public Progress progress(@jakarta.ws.rs.QueryParam("skip_current_image") @jakarta.ws.rs.DefaultValue("false")
      boolean skipCurrentImage) {
    GenerationService service = generations.service();
    if (!skipCurrentImage) {
      service.wantPreviews(PREVIEW_INTEREST_SECONDS);
    }
    int jobs = service.running() + service.queueDepth();
    Optional<GenerationService.Current> c = service.runningStep();
    if (c.isEmpty()) {
      return new Progress(0, 0, new State(false, false, "", jobs, "0", 0, 0, 0), null, null, null);
    }
    GenerationService.Current cur = c.get();
    ProgressEvent e = cur.event();
    Optional<String> stopped = service.stopReason(cur.job());
    String image = skipCurrentImage ? null : e.preview()
        .map(p -> Base64.getEncoder().encodeToString(PngCodec.encode(p, Optional.empty()))).orElse(null);
    State state = new State(stopped.filter(GenerationService.SKIPPED::equals).isPresent(),
        stopped.filter(GenerationService.INTERRUPTED::equals).isPresent(), cur.taskId() == null ? "" : cur.taskId(),
        jobs, JOB_TIMESTAMP.format(cur.startedAt()), 0, e.step(), e.totalSteps());
    return new Progress(e.fraction(), cur.etaSeconds(System.nanoTime()), state, image, null, cur.taskId());
  }
}
