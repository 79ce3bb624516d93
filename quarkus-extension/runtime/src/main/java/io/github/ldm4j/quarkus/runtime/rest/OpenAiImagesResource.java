package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /v1/images/generations}, {@code POST /v1/images/edits} and {@code POST
 * /v1/images/variations}: the OpenAI Images API, so OpenAI client libraries work unchanged. The
 * images come back as {@code b64_json} (the default) or, with {@code response_format: "url"}, as
 * URLs of {@link OpenAiImageFilesResource}.
 */
@Path("/v1/images")
@Singleton
public class OpenAiImagesResource {

  /** The error responses, all with the OpenAI error body (documented once per operation). */
  private static final String ERRORS = "an OpenAI error body: "
      + "400 invalid request (error.param names the field), "
      + "401 missing or wrong API key, "
      + "404 unknown model, "
      + "409 task id in flight, "
      + "413 body too large, "
      + "422 the model cannot run it, "
      + "429 queue full (Retry-After), "
      + "503 shutting down, "
      + "504 timed out, "
      + "507 the images do not fit in the store of response_format url";

  private static final Pattern SIZE = Pattern.compile("([1-9]\\d{0,4})x([1-9]\\d{0,4})");

  private final Generations generations;
  private final OpenAiImageFilesResource files;
  private final double variationStrength;

  /** Injected. */
  @Inject
  public OpenAiImagesResource(Generations generations, OpenAiImageFilesResource files,
      io.github.ldm4j.quarkus.runtime.Ldm4jConfig config) {
    this.generations = generations;
    this.files = files;
    this.variationStrength = config.images().variationStrength();
  }

  /** How the images are answered ({@code response_format}). */
  enum ResponseFormat {
    /** The PNG in the response, base64 (the default). */
    B64_JSON,
    /** A URL of the PNG, kept {@code quarkus.ldm4j.images.url-ttl}. */
    URL;

    /**
     * The format {@code value} names; absent, OpenAI's default for the requested model: {@link #URL}
     * for the DALL·E ids ({@code dall-e-2}, {@code dall-e-3}), whose clients read {@code data[].url}
     * when they ask for nothing, else {@link #B64_JSON} (as {@code gpt-image-*} and ldm4j's own
     * models answer). 400 naming {@code response_format} for another value.
     */
    static ResponseFormat of(String value, String model) {
      if (value == null) {
        return model != null && model.startsWith("dall-e") ? URL : B64_JSON;
      }
      if (value.equals("b64_json")) {
        return B64_JSON;
      }
      if (value.equals("url")) {
        return URL;
      }
      throw ApiException.invalid("response_format", "response_format '" + value + "' is not served; use 'b64_json' or 'url'");
    }
  }

  /**
   * The request: OpenAI's fields plus ldm4j's extras.
   *
   * @param prompt the prompt (required)
   * @param n images, default 1
   * @param size {@code "WxH"}, default the configured width × height
   * @param responseFormat {@code b64_json} or {@code url}; absent: {@code url} for the DALL·E model ids, else {@code b64_json}
   * @param model a configured model name ({@code GET /ldm4j/models}) or a library checkpoint's name
   *     or title ({@code GET /sdapi/v1/sd-models}); the active model when absent
   * @param negativePrompt negative prompt
   * @param steps sampler steps
   * @param sampler sampler name
   * @param scheduler schedule name
   * @param guidanceScale classifier-free guidance scale
   * @param seed seed; random when absent
   * @param taskId optional client-chosen task id ({@code [A-Za-z0-9._-]{1,64}}) whose progress
   *     streams at {@code GET /ldm4j/progress/{taskId}}
   * @param loras LoRAs of the library merged into the checkpoint, beside the prompt's {@code
   *     <lora:NAME:W>} tags
   * @param hiresScale hires fix (A1111's): generate at {@code size}, upscale by this factor in [1, 8],
   *     then refine with an img2img pass at that size; this or {@code hires_width}/{@code hires_height}
   *     turns the hires fix on
   * @param hiresWidth hires fix to this width (multiple of 8; with {@code hires_height} absent or 0,
   *     the height keeps the aspect ratio)
   * @param hiresHeight hires fix to this height (multiple of 8)
   * @param hiresUpscaler the hires upscaler, A1111's name ({@code GET /ldm4j/hires-upscalers}; default "Latent")
   * @param hiresSteps hires second-pass steps; 0 (default) = as many as {@code steps}
   * @param hiresStrength hires second-pass denoising strength in (0, 1] (default 0.75)
   * @param quality OpenAI's {@code quality} ({@link #QUALITIES}): accepted, not applied (ldm4j's
   *     knobs are {@code steps} and {@code guidance_scale}), listed in the answer's {@code ignored_fields}
   * @param style DALL·E 3's {@code style} ({@link #STYLES}): accepted, not applied, listed in {@code
   *     ignored_fields}
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ImagesRequest(String prompt, Integer n, String size, String responseFormat, String model,
      String negativePrompt, Integer steps, String sampler, String scheduler, Double guidanceScale, Long seed,
      String taskId, List<Generations.LoraEntry> loras, Double hiresScale, Integer hiresWidth, Integer hiresHeight,
      String hiresUpscaler, Integer hiresSteps, Double hiresStrength, String quality, String style) {

    /** OpenAI's {@code quality} values (DALL·E 3: standard, hd; gpt-image-1: low, medium, high, auto). */
    static final List<String> QUALITIES = List.of("standard", "hd", "low", "medium", "high", "auto");

    /** DALL·E 3's {@code style} values. */
    static final List<String> STYLES = List.of("vivid", "natural");

    /**
     * The OpenAI fields given that ldm4j accepts but does not apply ({@code quality}, {@code style}),
     * for the answer's {@code ignored_fields}; 400 naming the field for a value OpenAI does not take.
     */
    List<String> ignoredFields() {
      List<String> ignored = new java.util.ArrayList<>();
      if (quality != null) {
        if (!QUALITIES.contains(quality)) {
          throw ApiException.invalid("quality", "quality '" + quality + "' is not one of OpenAI's " + QUALITIES);
        }
        ignored.add("quality");
      }
      if (style != null) {
        if (!STYLES.contains(style)) {
          throw ApiException.invalid("style", "style '" + style + "' is not one of OpenAI's " + STYLES);
        }
        ignored.add("style");
      }
      return List.copyOf(ignored);
    }

    /**
     * The hires fix for a first pass of {@code first}: empty without {@code hires_scale}, {@code
     * hires_width} and {@code hires_height}; 400 for the other {@code hires_*} fields without them,
     * for a scale together with a size, and for bad values ({@link HiresFields}).
     */
    Optional<HiresFix> hires(GenerationSettings first) {
      if (hiresScale == null && hiresWidth == null && hiresHeight == null) {
        String orphan = hiresUpscaler != null ? "hires_upscaler" : hiresSteps != null ? "hires_steps"
            : hiresStrength != null ? "hires_strength" : null;
        if (orphan != null) {
          throw ApiException.invalid(orphan, "'" + orphan + "' needs 'hires_scale' or 'hires_width'/'hires_height' "
              + "(they turn the hires fix on)");
        }
        return Optional.empty();
      }
      if (hiresScale != null && (hiresWidth != null || hiresHeight != null)) {
        throw ApiException.invalid("hires_scale", "'hires_scale' and 'hires_width'/'hires_height' are mutually exclusive");
      }
      if (hiresScale == null && (hiresWidth == null ? 0 : hiresWidth) == 0 && (hiresHeight == null ? 0 : hiresHeight) == 0) {
        throw ApiException.invalid(hiresWidth != null ? "hires_width" : "hires_height",
            "'hires_width' and 'hires_height' cannot both be 0");
      }
      return Optional.of(HiresFields.OPENAI.fix(first, hiresScale, hiresWidth, hiresHeight, hiresUpscaler, hiresSteps,
          hiresStrength));
    }
  }

  /**
   * The response.
   *
   * @param created Unix seconds
   * @param data one entry per image
   * @param ignored_fields the request's OpenAI fields that were accepted but not applied ({@code
   *     quality}, {@code style}); left out when none
   */
  public record ImagesResponse(long created, List<Image> data,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> ignored_fields) {}

  /**
   * One image; the absent fields (null) are left out.
   *
   * @param url with {@code response_format: "url"}: where the PNG is, for {@code quarkus.ldm4j.images.url-ttl}
   * @param b64_json otherwise the PNG, base64 (it carries the generation parameters in a {@code parameters} chunk)
   * @param revised_prompt the prompt used (none for a variation)
   * @param seed the image's seed
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Image(String url, String b64_json, String revised_prompt, long seed) {}

  /** Generates images from a prompt; a client that disconnects cancels the generation. */
  @POST
  @Path("/generations")
  @Blocking
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @APIResponse(responseCode = "200", description = "the generated images",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ImagesResponse.class)))
  @APIResponse(responseCode = "default", description = ERRORS,
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
  public ImagesResponse generations(
      @RequestBody(required = true, description = "the OpenAI images.generate request (snake_case fields)",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ImagesRequest.class))) byte[] body,
      @Context HttpServerRequest request, @Context HttpServerResponse response) {
    ImagesRequest r = generations.parse(body, ImagesRequest.class);
    Generations.TaskId taskId = Generations.taskId("task_id", r.taskId());
    return generations.refusing(taskId, () -> {
      Generations.prompt("prompt", r.prompt());
      List<String> ignored = r.ignoredFields();
      String filesUrl = filesUrl(ResponseFormat.of(r.responseFormat(), r.model()), request);
      GenerationSettings d = generations.defaults();
      int n = r.n() == null ? d.batchSize() : r.n();
      checkN(n, generations.limits());
      int[] size = size(r.size()).orElse(new int[] {d.width(), d.height()});
      int w = size[0];
      int h = size[1];
      GenerationSettings s = settings(n, w, h, r.steps(), r.sampler(), r.scheduler(), r.guidanceScale(), r.seed());
      String negative = r.negativePrompt() == null ? "" : r.negativePrompt();
      Optional<HiresFix> hires = r.hires(s);
      Generations.Selected selected = generations.select("model", r.model(), r.prompt(), negative, r.loras());
      ImagesResponse answer = response(generations.run(selected,
          new GenerationRequest.TextToImage(selected.prompt(), negative, s, hires), taskId, response, "size"),
          r.prompt(), filesUrl);
      IgnoredFieldLog.reportOpenAi("generations", ignored);
      return new ImagesResponse(answer.created(), answer.data(), ignored);
    });
  }

  /**
   * Edits an image (OpenAI {@code images.edit}): multipart {@code image} (PNG/JPEG), optional {@code
   * mask} (same size; white = regenerate, black = keep), {@code prompt}; without a mask it is
   * img2img. The output has the image's size; {@code strength} (default 0.75) sets how much changes.
   * An optional {@code task_id} names the task for {@code GET /ldm4j/progress/{taskId}}; a client
   * that disconnects cancels the generation.
   */
  @POST
  @Path("/edits")
  @Blocking
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Produces(MediaType.APPLICATION_JSON)
  @APIResponse(responseCode = "200", description = "the generated images",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ImagesResponse.class)))
  @APIResponse(responseCode = "default", description = ERRORS,
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
  public ImagesResponse edits(@RestForm("image") FileUpload image, @RestForm("mask") FileUpload mask,
      @RestForm("prompt") String prompt, @RestForm("n") String n, @RestForm("response_format") String responseFormat,
      @RestForm("model") String model, @RestForm("negative_prompt") String negativePrompt,
      @RestForm("strength") String strength, @RestForm("steps") String steps, @RestForm("sampler") String sampler,
      @RestForm("scheduler") String scheduler, @RestForm("guidance_scale") String guidanceScale,
      @RestForm("seed") String seed, @RestForm("task_id") String taskId, @RestForm("loras") String loras,
      @Context HttpServerRequest httpRequest, @Context HttpServerResponse response) {
    Generations.TaskId task = Generations.taskId("task_id", taskId);
    return generations.refusing(task, () -> {
      if (image == null) {
        throw ApiException.invalid("image", "'image' (a PNG or JPEG file part) is required");
      }
      Generations.prompt("prompt", prompt);
      String filesUrl = filesUrl(ResponseFormat.of(responseFormat, model), httpRequest);
      GenerationLimits limits = generations.limits();
      RgbImage init = upload("image", image, limits);
      Optional<Mask> m = mask == null ? Optional.empty() : Optional.of(Mask.fromImage(upload("mask", mask, limits)));
      if (m.isPresent() && (m.get().width() != init.width() || m.get().height() != init.height())) {
        throw ApiException.invalid("mask", "mask is " + m.get().width() + "x" + m.get().height() + " but the image is "
            + init.width() + "x" + init.height());
      }
      Double given = Generations.field("strength", strength, Double.class);
      double str = given != null ? given : Double.parseDouble(GenerationRequest.DEFAULT_STRENGTH);
      if (!(str > 0 && str <= 1)) {
        throw ApiException.invalid("strength", "'strength' must be in (0, 1], got " + strength);
      }
      Integer nGiven = Generations.field("n", n, Integer.class);
      int count = nGiven != null ? nGiven : generations.defaults().batchSize();
      checkN(count, limits);
      GenerationSettings s = settings(count, init.width(), init.height(), Generations.field("steps", steps, Integer.class),
          sampler, scheduler, Generations.field("guidance_scale", guidanceScale, Double.class),
          Generations.field("seed", seed, Long.class));
      String negative = negativePrompt == null ? "" : negativePrompt;
      List<Generations.LoraEntry> loraList = Generations.loraField("loras", loras);
      Generations.Selected selected = generations.select("model", model, prompt, negative, loraList);
      GenerationRequest request;
      try {
        request = m.isPresent()
            ? new GenerationRequest.Inpainting(selected.prompt(), negative, s, init, m.get(), str)
            : new GenerationRequest.ImageToImage(selected.prompt(), negative, s, init, str);
      } catch (IllegalArgumentException e) {
        selected.release();
        throw ApiException.invalid("image", e.getMessage());
      }
      return response(generations.run(selected, request, task, response, "image"), prompt, filesUrl);
    });
  }

  /**
   * Variations of an image (OpenAI {@code images.createVariation}), multipart: {@code image}
   * (PNG/JPEG, required; any size the model can run — OpenAI's square and 4 MB rules do not apply),
   * {@code n}, {@code size} ({@code "WxH"}: the image is first resized to it with Lanczos; absent: the
   * image's size), {@code response_format}, {@code model}, {@code user} (ignored), and the extras
   * {@code strength} (default {@code quarkus.ldm4j.images.variation-strength}, 0.6), {@code
   * negative_prompt}, {@code steps}, {@code sampler}, {@code scheduler}, {@code guidance_scale},
   * {@code seed}, {@code task_id}, {@code loras}. It is img2img of the image with an empty prompt
   * (OpenAI's variations take none): the model redraws the image's content at that strength; each
   * image of {@code n} has its own seed. A client that disconnects cancels the generation.
   */
  @POST
  @Path("/variations")
  @Blocking
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  @Produces(MediaType.APPLICATION_JSON)
  @APIResponse(responseCode = "200", description = "the generated images",
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ImagesResponse.class)))
  @APIResponse(responseCode = "default", description = ERRORS,
      content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
  public ImagesResponse variations(@RestForm("image") FileUpload image, @RestForm("n") String n,
      @RestForm("size") String size, @RestForm("response_format") String responseFormat, @RestForm("model") String model,
      @RestForm("negative_prompt") String negativePrompt, @RestForm("strength") String strength,
      @RestForm("steps") String steps, @RestForm("sampler") String sampler, @RestForm("scheduler") String scheduler,
      @RestForm("guidance_scale") String guidanceScale, @RestForm("seed") String seed, @RestForm("task_id") String taskId,
      @RestForm("loras") String loras, @Context HttpServerRequest httpRequest, @Context HttpServerResponse response) {
    Generations.TaskId task = Generations.taskId("task_id", taskId);
    return generations.refusing(task, () -> {
      if (image == null) {
        throw ApiException.invalid("image", "'image' (a PNG or JPEG file part) is required");
      }
      String filesUrl = filesUrl(ResponseFormat.of(responseFormat, model), httpRequest);
      Optional<int[]> wh = size(size);
      GenerationLimits limits = generations.limits();
      Double given = Generations.field("strength", strength, Double.class);
      double str = given != null ? given : variationStrength;
      if (!(str > 0 && str <= 1)) {
        throw ApiException.invalid("strength", "'strength' must be in (0, 1], got " + strength);
      }
      Integer nGiven = Generations.field("n", n, Integer.class);
      int count = nGiven != null ? nGiven : generations.defaults().batchSize();
      checkN(count, limits);
      RgbImage init = upload("image", image, limits);
      if (wh.isPresent() && (wh.get()[0] != init.width() || wh.get()[1] != init.height())) {
        try {
          limits.check(generations.defaults().toBuilder().size(wh.get()[0], wh.get()[1]).batchSize(count).build());
        } catch (IllegalArgumentException e) {
          throw ApiException.invalid("size", "'size': " + e.getMessage());
        }
        init = HiresUpscaler.LANCZOS.upscaleImage(init, wh.get()[0], wh.get()[1]);
      }
      GenerationSettings s = settings(count, init.width(), init.height(), Generations.field("steps", steps, Integer.class),
          sampler, scheduler, Generations.field("guidance_scale", guidanceScale, Double.class),
          Generations.field("seed", seed, Long.class));
      String negative = negativePrompt == null ? "" : negativePrompt;
      List<Generations.LoraEntry> loraList = Generations.loraField("loras", loras);
      Generations.Selected selected = generations.select("model", model, "", negative, loraList);
      GenerationRequest request;
      try {
        request = new GenerationRequest.ImageToImage(selected.prompt(), negative, s, init, str);
      } catch (IllegalArgumentException e) {
        selected.release();
        throw ApiException.invalid("image", e.getMessage());
      }
      return response(generations.run(selected, request, task, response, wh.isPresent() ? "size" : "image"), null,
          filesUrl);
    });
  }

  /** The {@code size} field {@code "WxH"} as {width, height}; empty when absent, 400 when malformed. */
  private static Optional<int[]> size(String size) {
    if (size == null) {
      return Optional.empty();
    }
    Matcher m = SIZE.matcher(size);
    if (!m.matches()) {
      throw ApiException.invalid("size", "'size' must look like \"512x512\", got \"" + size + "\"");
    }
    return Optional.of(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
  }

  /** Where the images' URLs will point for {@code format} {@link ResponseFormat#URL}; null for b64_json. */
  private String filesUrl(ResponseFormat format, HttpServerRequest request) {
    return format == ResponseFormat.URL ? files.filesUrl(request) : null;
  }

  private static void checkN(int n, GenerationLimits limits) {
    int max = limits.maxBatchSize();
    if (n < 1 || n > max) {
      throw ApiException.invalid("n", "'n' must be in [1, " + max + "], got " + n);
    }
  }

  private RgbImage upload(String param, FileUpload file, GenerationLimits limits) {
    try {
      long size = Files.size(file.uploadedFile());
      generations.checkBodySize(size);
      return PngCodec.decode(Files.readAllBytes(file.uploadedFile()), limits.maxPixels()).image();
    } catch (IOException e) {
      throw ApiException.invalid(param, "cannot read the uploaded '" + param + "': " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(param, "'" + param + "': " + e.getMessage());
    }
  }

  private GenerationSettings settings(int n, int w, int h, Integer steps, String sampler, String scheduler,
      Double guidanceScale, Long seed) {
    return generations.settings("sampler", "guidance_scale", new Generations.SettingsFields(w, h, n, steps, sampler, scheduler,
        guidanceScale, seed != null ? seed : Generations.randomSeed()));
  }


  /** The response: base64 PNGs, or, with {@code filesUrl} (response_format url), the stored PNGs' URLs. */
  private ImagesResponse response(GenerationResult result, String prompt, String filesUrl) {
    List<GeneratedImage> images = result.images();
    List<Image> data;
    if (filesUrl != null) {
      List<String> urls = files.store(images, filesUrl);
      data = java.util.stream.IntStream.range(0, images.size())
          .mapToObj(i -> new Image(urls.get(i), null, prompt, images.get(i).seed())).toList();
    } else {
      Base64.Encoder b64 = Base64.getEncoder();
      data = images.stream().map((GeneratedImage g) -> new Image(null, b64.encodeToString(g.png()), prompt, g.seed()))
          .toList();
    }
    return new ImagesResponse(System.currentTimeMillis() / 1000, data, List.of());
  }
}
