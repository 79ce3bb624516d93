package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.Provenance;
import io.github.ldm4j.generate.ResizeMode;
import io.github.ldm4j.generate.SeedResize;
import io.github.ldm4j.generate.Variation;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
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
   * The txt2img request: A1111's fields that ldm4j binds ({@link A1111Field}, status implemented or
   * hires), typed; the table's other fields are checked and reported by {@link A1111Field#check}, and
   * keys that are no A1111 field are ignored, as A1111 ignores them.
   *
   * @param prompt prompt (required)
   * @param negativePrompt negative prompt
   * @param steps steps
   * @param cfgScale guidance scale
   * @param width width
   * @param height height
   * @param seed seed; -1 or absent = random
   * @param subseed variation seed; -1 or absent = random
   * @param subseedStrength variation strength in [0, 1]; 0 or absent = none
   * @param seedResizeFromH "resize seed from" height (≤ 0: none)
   * @param seedResizeFromW "resize seed from" width (≤ 0: none)
   * @param samplerName sampler, A1111 or ldm4j name
   * @param samplerIndex old clients' sampler name, used when {@code samplerName} is absent
   * @param scheduler schedule name
   * @param batchSize images per batch
   * @param nIter batches, run one after another
   * @param hrCheckpointName hires checkpoint: only the first pass's (absent, "" or "Use same checkpoint")
   * @param sendImages false: no images in the answer
   * @param doNotSaveSamples accepted (nothing is saved)
   * @param doNotSaveGrid accepted (nothing is saved)
   * @param overrideSettingsRestoreAfterwards accepted (overrides never outlive the request)
   * @param forceTaskId optional client-chosen task id ({@code [A-Za-z0-9._-]{1,64}}) whose progress
   *     streams at {@code GET /ldm4j/progress/{taskId}}
   * @param loras LoRAs of the library merged into the checkpoint, beside the prompt's {@code
   *     <lora:NAME:W>} tags (an ldm4j field)
   * @param overrideSettings A1111 options for this request only: {@code sd_model_checkpoint}, {@code sd_vae},
   *     {@code CLIP_stop_at_last_layers}, {@code s_min_uncond} applied; others ignored and reported
   * @param sMinUncond the CFG cut-off σ (A1111's "negative guidance minimum sigma"); absent: the server's default
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
      Integer height, Long seed, Long subseed, Double subseedStrength, Integer seedResizeFromH, Integer seedResizeFromW,
      String samplerName, String samplerIndex, String scheduler, Integer batchSize, Integer nIter,
      Double denoisingStrength, Boolean enableHr, Double hrScale, String hrUpscaler, Integer hrSecondPassSteps,
      Integer hrResizeX, Integer hrResizeY, String hrCheckpointName, String hrSamplerName, String hrScheduler,
      String hrPrompt, String hrNegativePrompt, Boolean sendImages, Boolean doNotSaveSamples, Boolean doNotSaveGrid,
      Boolean overrideSettingsRestoreAfterwards, String forceTaskId, List<Generations.LoraEntry> loras,
      Map<String, Object> overrideSettings, Double sMinUncond) {

    Common common() {
      return new Common(prompt, negativePrompt, steps, cfgScale, seed, subseed, subseedStrength, seedResizeFromH,
          seedResizeFromW, samplerName, samplerIndex, scheduler, batchSize, nIter, sendImages, loras, overrideSettings,
          sMinUncond);
    }

    /** The hires-fix fields. */
    A1111Hires hires() {
      if (Boolean.TRUE.equals(enableHr) && hrCheckpointName != null && !hrCheckpointName.isEmpty()
          && !hrCheckpointName.equals("Use same checkpoint")) {
        throw ApiException.invalid("hr_checkpoint_name", "'hr_checkpoint_name' is not served yet: the hires second pass"
            + " runs on the first pass's checkpoint; leave it empty or \"Use same checkpoint\"");
      }
      return new A1111Hires(enableHr, hrScale, hrResizeX, hrResizeY, hrUpscaler, hrSecondPassSteps, denoisingStrength,
          hrSamplerName, hrScheduler, hrPrompt, hrNegativePrompt);
    }
  }

  /** What both endpoints' requests share, as {@link #run} takes it. */
  record Common(String prompt, String negativePrompt, Integer steps, Double cfgScale, Long seed, Long subseed,
      Double subseedStrength, Integer seedResizeFromH, Integer seedResizeFromW, String samplerName, String samplerIndex,
      String scheduler, Integer batchSize, Integer nIter, Boolean sendImages, List<Generations.LoraEntry> loras,
      Map<String, Object> overrideSettings, Double sMinUncond) {}

  /**
   * The response.
   *
   * @param images base64 PNGs ({@code []} with {@code send_images: false})
   * @param parameters the request as understood
   * @param info A1111's generation info, a JSON string: prompts, seeds and subseeds of every image,
   *     {@code infotexts} (each image's PNG parameters text), … and {@code ignored_fields}
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
    ObjectNode tree = generations.parseObject(body);
    Txt2ImgRequest r = Generations.bind(tree, Txt2ImgRequest.class);
    Generations.TaskId taskId = Generations.taskId("force_task_id", r.forceTaskId());
    return generations.refusing(taskId, () -> {
      List<String> ignored = new ArrayList<>(A1111Field.check(A1111Field.Scope.TXT2IMG, tree));
      return run(A1111Field.Scope.TXT2IMG, tree, r.common(), r.hires(), ignored, null, r.width(), r.height(), taskId,
          response);
    });
  }

  /**
   * The img2img request: the txt2img fields (without the hires fix) plus {@code init_images} (base64
   * PNG/JPEG, the first is used), {@code resize_mode}, optional {@code mask} (base64; white =
   * regenerate), {@code inpainting_mask_invert} and {@code denoising_strength} (default 0.75).
   * Without width/height the output has the init image's size; with them the init image and mask
   * are brought to that size by {@code resize_mode}.
   *
   * @param prompt prompt (required)
   * @param negativePrompt negative prompt
   * @param steps steps
   * @param cfgScale guidance scale
   * @param width width; absent: the init image's
   * @param height height; absent: the init image's
   * @param seed seed; -1 or absent = random
   * @param subseed variation seed; -1 or absent = random
   * @param subseedStrength variation strength in [0, 1]
   * @param seedResizeFromH "resize seed from" height
   * @param seedResizeFromW "resize seed from" width
   * @param samplerName sampler, A1111 or ldm4j name
   * @param samplerIndex old clients' sampler name
   * @param scheduler schedule name
   * @param batchSize images per batch
   * @param nIter batches
   * @param initImages base64 images; the first is used
   * @param resizeMode A1111's resize mode 0–3 ({@link ResizeMode})
   * @param mask base64 mask or null
   * @param inpaintingMaskInvert 1: regenerate the mask's black instead
   * @param denoisingStrength strength in (0, 1]
   * @param sendImages false: no images in the answer
   * @param doNotSaveSamples accepted (nothing is saved)
   * @param doNotSaveGrid accepted (nothing is saved)
   * @param overrideSettingsRestoreAfterwards accepted
   * @param forceTaskId optional client-chosen task id, as in txt2img
   * @param loras LoRAs, as in txt2img
   * @param overrideSettings as in txt2img
   * @param sMinUncond as in txt2img
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Img2ImgRequest(String prompt, String negativePrompt, Integer steps, Double cfgScale, Integer width,
      Integer height, Long seed, Long subseed, Double subseedStrength, Integer seedResizeFromH, Integer seedResizeFromW,
      String samplerName, String samplerIndex, String scheduler, Integer batchSize, Integer nIter, List<String> initImages,
      Integer resizeMode, String mask, Integer inpaintingMaskInvert, Double denoisingStrength, Boolean sendImages,
      Boolean doNotSaveSamples, Boolean doNotSaveGrid, Boolean overrideSettingsRestoreAfterwards, String forceTaskId,
      List<Generations.LoraEntry> loras, Map<String, Object> overrideSettings, Double sMinUncond) {

    Common common() {
      return new Common(prompt, negativePrompt, steps, cfgScale, seed, subseed, subseedStrength, seedResizeFromH,
          seedResizeFromW, samplerName, samplerIndex, scheduler, batchSize, nIter, sendImages, loras, overrideSettings,
          sMinUncond);
    }
  }

  /**
   * The img2img input as understood.
   *
   * @param image the init image at the generation's size
   * @param mask the mask at that size, or null
   * @param strength the denoising strength
   */
  private record ImageInput(RgbImage image, Mask mask, double strength) {}

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
    ObjectNode tree = generations.parseObject(body);
    Img2ImgRequest r = Generations.bind(tree, Img2ImgRequest.class);
    Generations.TaskId taskId = Generations.taskId("force_task_id", r.forceTaskId());
    return generations.refusing(taskId, () -> {
      List<String> ignored = new ArrayList<>(A1111Field.check(A1111Field.Scope.IMG2IMG, tree));
      if (r.initImages() == null || r.initImages().isEmpty() || r.initImages().getFirst() == null) {
        throw ApiException.invalid("init_images", "'init_images' must hold one base64 image");
      }
      long maxPixels = generations.limits().maxPixels();
      RgbImage init = image("init_images", r.initImages().getFirst(), maxPixels);
      RgbImage maskImage = r.mask() == null ? null : image("mask", r.mask(), maxPixels);
      if (maskImage != null && (maskImage.width() != init.width() || maskImage.height() != init.height())) {
        throw ApiException.invalid("mask", "mask is " + maskImage.width() + "x" + maskImage.height() + " but the image is "
            + init.width() + "x" + init.height());
      }
      double strength = r.denoisingStrength() == null
          ? Double.parseDouble(GenerationRequest.DEFAULT_STRENGTH) : r.denoisingStrength();
      if (!(strength > 0 && strength <= 1)) {
        throw ApiException.invalid("denoising_strength", "'denoising_strength' must be in (0, 1], got " + strength);
      }
      int invert = r.inpaintingMaskInvert() == null ? 0 : r.inpaintingMaskInvert();
      if (invert != 0 && invert != 1) {
        throw ApiException.invalid("inpainting_mask_invert", "'inpainting_mask_invert' must be 0 or 1, got " + invert);
      }
      ResizeMode mode;
      try {
        mode = ResizeMode.fromIndex(r.resizeMode() == null ? 0 : r.resizeMode());
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid("resize_mode", "'resize_mode': " + e.getMessage());
      }
      int width = r.width() != null ? r.width() : init.width();
      int height = r.height() != null ? r.height() : init.height();
      if (width < 8 || height < 8 || (long) width * height > maxPixels) {
        throw ApiException.invalid(r.width() != null ? "width" : "height", "the size " + width + "x" + height
            + " is outside 8 px .. " + maxPixels + " pixels");
      }
      if (init.width() != width || init.height() != height) {
        try {
          init = mode.apply(init, width, height);
          maskImage = maskImage == null ? null : mode.apply(maskImage, width, height);
        } catch (IllegalArgumentException e) {
          throw ApiException.invalid("resize_mode", "'resize_mode': " + e.getMessage());
        }
        if (mode == ResizeMode.LATENT_UPSCALE) {
          ignored.add("resize_mode"); // resized in pixel space: A1111 interpolates the latent
        }
      }
      Mask mask = maskImage == null ? null : Mask.fromImage(maskImage);
      if (mask != null && invert == 1) {
        float[] v = mask.values();
        for (int i = 0; i < v.length; i++) {
          v[i] = 1 - v[i];
        }
        mask = new Mask(mask.width(), mask.height(), v);
      }
      return run(A1111Field.Scope.IMG2IMG, tree, r.common(), null, ignored, new ImageInput(init, mask, strength), width, height,
          taskId, response);
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
   * The field to name when the model cannot run the requested size: width/height when the request
   * set them, else the init image for img2img, else none.
   */
  /**
   * The request's own settings beside {@link Generations#settings}: {@code s_min_uncond} (the CFG
   * cut-off σ) and the {@code override_settings} A1111 applies for one request. Of those,
   * {@code sd_model_checkpoint} and {@code sd_vae} select the model (see {@link Generations#select}),
   * {@code CLIP_stop_at_last_layers} (1–12) and {@code s_min_uncond} are applied, {@code samples_format}
   * must be {@code png} and {@code eta_noise_seed_delta} 0 to apply; every other key (A1111 has
   * hundreds of options) is ignored and listed in {@code ignored} as {@code override_settings.KEY}, as
   * is a non-zero {@code eta_noise_seed_delta}. A value of the wrong type is a 400 naming the key.
   */
  private static GenerationSettings perRequest(GenerationSettings s, Double sMinUncond, Map<String, Object> overrides,
      List<String> ignored) {
    GenerationSettings.Builder b = s.toBuilder();
    if (sMinUncond != null) {
      b.guidanceCutoff(cutoff("s_min_uncond", sMinUncond));
    }
    for (Map.Entry<String, Object> o : overrides.entrySet()) {
      String key = o.getKey();
      Object v = o.getValue();
      String param = "override_settings." + key;
      switch (key) {
        case "sd_model_checkpoint", "sd_vae" -> {
          if (!(v instanceof String)) {
            throw ApiException.invalid("override_settings", param + " must be a string");
          }
        }
        case "CLIP_stop_at_last_layers" ->
            b.clipSkip(A1111ModelsResource.clipSkipOption("override_settings", param, v));
        case "s_min_uncond" -> {
          if (!(v instanceof Number n)) {
            throw ApiException.invalid("override_settings", param + " must be a number, got " + v);
          }
          b.guidanceCutoff(cutoff(param, n.doubleValue()));
        }
        case "samples_format" -> A1111ModelsResource.samplesFormatOption("override_settings", param, v);
        case "eta_noise_seed_delta" -> {
          if (A1111ModelsResource.ensdOption("override_settings", param, v) != 0) {
            ignored.add(param);
          }
        }
        default -> ignored.add(param);
      }
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("override_settings", e.getMessage());
    }
  }

  private static double cutoff(String param, double sigma) {
    try {
      GenerationSettings.checkGuidanceCutoffSigma(sigma);
      return sigma;
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(param.startsWith("override_settings") ? "override_settings" : param,
          "'" + param + "': " + e.getMessage());
    }
  }

  private static String sizeParam(ImageInput input, Integer width, Integer height, JsonNode tree) {
    if (tree.hasNonNull("width") && !tree.hasNonNull("height")) {
      return "width";
    }
    if (tree.hasNonNull("height") && !tree.hasNonNull("width")) {
      return "height";
    }
    return input != null && !tree.hasNonNull("width") ? "init_images" : null;
  }

  /**
   * Runs {@code c}'s {@code n_iter} batches one after another, as A1111's {@code process_images}:
   * batch n takes the seeds and subseeds {@code n · batch_size} on, and one answer carries every image.
   */
  private Txt2ImgResponse run(A1111Field.Scope endpoint, ObjectNode tree, Common c, A1111Hires hires, List<String> ignored,
      ImageInput input, Integer width, Integer height, Generations.TaskId taskId, HttpServerResponse response) {
    Generations.prompt("prompt", c.prompt());
    boolean byIndex = c.samplerName() == null && c.samplerIndex() != null;
    String samplerParam = byIndex ? "sampler_index" : "sampler_name";
    SamplerNames.Selection chosen;
    try {
      chosen = SamplerNames.fromDisplayNames(byIndex ? c.samplerIndex() : c.samplerName(), c.scheduler());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(samplerParam, e.getMessage());
    }
    int nIter = c.nIter() == null ? 1 : c.nIter();
    if (nIter < 1 || nIter > MAX_N_ITER) {
      throw ApiException.invalid("n_iter", "'n_iter' must be in [1, " + MAX_N_ITER + "], got " + nIter);
    }
    if (nIter > 1 && taskId != null) {
      // each batch runs as its own generation: one task id's progress stream would end after the first
      throw ApiException.invalid("n_iter", "'n_iter' > 1 together with 'force_task_id' is not served (the task's "
          + "progress follows one batch); send one of them, or batch_size for several images in one batch");
    }
    GenerationSettings d = generations.defaults();
    long seed = c.seed() == null || c.seed() < 0 ? Generations.randomSeed() : c.seed();
    long subseed = c.subseed() == null || c.subseed() < 0 ? Generations.randomSeed() : c.subseed();
    double subseedStrength = c.subseedStrength() == null ? 0 : c.subseedStrength();
    if (!(subseedStrength >= 0 && subseedStrength <= 1)) {
      throw ApiException.invalid("subseed_strength", "'subseed_strength' must be in [0, 1], got " + subseedStrength);
    }
    int resizeH = c.seedResizeFromH() == null ? -1 : c.seedResizeFromH();
    int resizeW = c.seedResizeFromW() == null ? -1 : c.seedResizeFromW();
    SeedResize seedResize = null;
    if (resizeH > 0 && resizeW > 0) {
      try {
        seedResize = new SeedResize(resizeW, resizeH);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(resizeW < 8 ? "seed_resize_from_w" : "seed_resize_from_h", e.getMessage());
      }
      GenerationLimits limits = generations.limits();
      if (resizeW > limits.maxWidth() || resizeH > limits.maxHeight()) {
        throw ApiException.invalid(resizeW > limits.maxWidth() ? "seed_resize_from_w" : "seed_resize_from_h",
            "seed resize size " + resizeW + "x" + resizeH + " exceeds the limit of " + limits.maxWidth() + "x"
            + limits.maxHeight());
      }
    }
    GenerationSettings s = generations.settings(samplerParam, "cfg_scale", new Generations.SettingsFields(
        width != null ? width : d.width(), height != null ? height : d.height(),
        c.batchSize() != null ? c.batchSize() : d.batchSize(), c.steps(), chosen.sampler().orElse(null),
        chosen.schedule().orElse(null), c.cfgScale(), seed));
    Map<String, Object> overrides = c.overrideSettings() == null ? Map.of() : c.overrideSettings();
    s = perRequest(s, c.sMinUncond(), overrides, ignored);
    String negative = c.negativePrompt() == null ? "" : c.negativePrompt();
    Optional<HiresFix> hiresFix = hires == null ? Optional.empty()
        : hires.fix(s, byIndex ? c.samplerIndex() : c.samplerName(), c.scheduler(), c.prompt(), negative);
    IgnoredFieldLog.report(endpoint, ignored);
    int b = s.batchSize();
    Variation variation = subseedStrength == 0 ? null : new Variation(subseed, subseedStrength);
    List<String> images = new ArrayList<>();
    List<Long> allSeeds = new ArrayList<>();
    List<Long> allSubseeds = new ArrayList<>();
    List<String> infotexts = new ArrayList<>();
    GenerationResult last = null;
    Generations.Selected lastSelected = null;
    Base64.Encoder b64 = Base64.getEncoder();
    boolean send = c.sendImages() == null || c.sendImages();
    for (int n = 0; n < nIter; n++) {
      long offset = (long) n * b;
      GenerationSettings sn;
      try {
        sn = s.toBuilder().seed(variation == null ? seed + offset : seed)
            .variation(variation == null ? null : new Variation(subseed + offset, subseedStrength))
            .seedResize(seedResize).build();
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(null, e.getMessage());
      }
      Generations.Selected selected = generations.select("override_settings",
          (String) overrides.get("sd_model_checkpoint"), (String) overrides.get("sd_vae"), c.prompt(), negative, c.loras());
      GenerationRequest request;
      try {
        String p = selected.prompt();
        request = input == null ? new GenerationRequest.TextToImage(p, negative, sn, hiresFix)
            : input.mask() == null ? new GenerationRequest.ImageToImage(p, negative, sn, input.image(), input.strength())
            : new GenerationRequest.Inpainting(p, negative, sn, input.image(), input.mask(), input.strength());
      } catch (IllegalArgumentException e) {
        selected.release();
        throw ApiException.invalid(null, e.getMessage());
      }
      GenerationResult result = generations.run(selected, request, taskId, response, sizeParam(input, width, height, tree));
      for (int i = 0; i < result.images().size(); i++) {
        GeneratedImage img = result.images().get(i);
        if (send) {
          images.add(b64.encodeToString(img.png()));
        }
        allSeeds.add(img.seed());
        allSubseeds.add(subseed + offset + i);
        infotexts.add(img.parameters());
      }
      last = result;
      lastSelected = selected;
    }
    int total = allSeeds.size();
    Provenance provenance = lastSelected.provenance();
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("prompt", c.prompt());
    info.put("all_prompts", java.util.Collections.nCopies(total, c.prompt()));
    info.put("negative_prompt", negative);
    info.put("all_negative_prompts", java.util.Collections.nCopies(total, negative));
    info.put("seed", allSeeds.getFirst());
    info.put("all_seeds", allSeeds);
    info.put("subseed", allSubseeds.getFirst());
    info.put("all_subseeds", allSubseeds);
    info.put("subseed_strength", subseedStrength);
    info.put("width", s.width());
    info.put("height", s.height());
    info.put("sampler_name", last.sampler());
    info.put("scheduler", last.schedule());
    info.put("cfg_scale", s.guidanceScale());
    info.put("steps", s.steps());
    info.put("batch_size", b);
    info.put("restore_faces", false);
    info.put("face_restoration_model", null);
    info.put("sd_model_name", provenance.model().orElse(lastSelected.model()));
    info.put("sd_model_hash", provenance.modelHash().orElse(null));
    info.put("sd_vae_name", provenance.vae().orElse(null));
    info.put("sd_vae_hash", provenance.vaeHash().orElse(null));
    info.put("seed_resize_from_w", resizeW);
    info.put("seed_resize_from_h", resizeH);
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("Schedule type", last.schedule());
    if (hiresFix.isPresent()) {
      info.put("enable_hr", true);
      extra.putAll(HiresFields.extraGenerationParams(hiresFix.get()));
    }
    info.put("denoising_strength", input != null ? (Object) input.strength()
        : hiresFix.map(f -> (Object) f.denoisingStrength()).orElse(null));
    info.put("extra_generation_params", extra);
    info.put("index_of_first_image", 0);
    info.put("infotexts", infotexts);
    info.put("styles", List.of());
    info.put("job_timestamp", JOB_TIMESTAMP.format(java.time.Instant.now())); // as /sdapi/v1/progress: UTC
    info.put("clip_skip", s.clipSkip());
    info.put("is_using_inpainting_conditioning", false);
    info.put("version", "ldm4j");
    info.put("ignored_fields", ignored);
    Map<String, Object> parameters = new LinkedHashMap<>();
    for (A1111Field f : A1111Field.of(endpoint)) {
      JsonNode v = tree.get(f.json());
      parameters.put(f.json(), v == null ? null : v);
    }
    parameters.put("init_images", null); // as A1111: the images are not sent back
    parameters.put("mask", null);
    parameters.put("prompt", c.prompt());
    parameters.put("negative_prompt", negative);
    parameters.put("seed", seed);
    parameters.put("subseed", subseed);
    parameters.put("subseed_strength", subseedStrength);
    parameters.put("sampler_name", last.sampler());
    parameters.put("scheduler", last.schedule());
    parameters.put("steps", s.steps());
    parameters.put("cfg_scale", s.guidanceScale());
    parameters.put("width", s.width());
    parameters.put("height", s.height());
    parameters.put("batch_size", b);
    parameters.put("n_iter", nIter);
    parameters.put("send_images", send);
    if (input != null) {
      parameters.put("denoising_strength", input.strength());
    }
    parameters.remove(A1111Field.SAMPLER_INDEX.json());
    if (endpoint == A1111Field.Scope.TXT2IMG) {
      parameters.remove("init_images");
      parameters.remove("mask");
    }
    String infoJson;
    try {
      infoJson = INFO_JSON.writeValueAsString(info);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return new Txt2ImgResponse(images, parameters, infoJson);
  }

  /** The most batches one request may ask for (A1111's UI limit: its batch count slider stops at 100). */
  static final int MAX_N_ITER = 100;

  /** Writes the info JSON string (nulls kept, as Python's json.dumps writes None). */
  private static final com.fasterxml.jackson.databind.ObjectMapper INFO_JSON = new com.fasterxml.jackson.databind.ObjectMapper();
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
