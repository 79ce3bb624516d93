package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.RgbImage;
import io.smallrye.common.annotation.Blocking;
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
 * {@code POST /v1/images/generations} and {@code POST /v1/images/edits}: the OpenAI Images API, so
 * OpenAI client libraries work unchanged.
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
      + "504 timed out";

  private static final Pattern SIZE = Pattern.compile("([1-9]\\d{0,4})x([1-9]\\d{0,4})");

  private final Generations generations;

  /** Injected. */
  @Inject
  public OpenAiImagesResource(Generations generations) {
    this.generations = generations;
  }

  /**
   * The request: OpenAI's fields plus ldm4j's extras.
   *
   * @param prompt the prompt (required)
   * @param n images, default 1
   * @param size {@code "WxH"}, default the configured width × height
   * @param responseFormat {@code b64_json} (the only format served)
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
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ImagesRequest(String prompt, Integer n, String size, String responseFormat, String model,
      String negativePrompt, Integer steps, String sampler, String scheduler, Double guidanceScale, Long seed,
      String taskId, List<Generations.LoraEntry> loras, Double hiresScale, Integer hiresWidth, Integer hiresHeight,
      String hiresUpscaler, Integer hiresSteps, Double hiresStrength) {

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
   */
  public record ImagesResponse(long created, List<Image> data) {}

  /**
   * One image.
   *
   * @param b64_json the PNG, base64 (it carries the generation parameters in a {@code parameters} chunk)
   * @param revised_prompt the prompt used
   * @param seed the image's seed
   */
  public record Image(String b64_json, String revised_prompt, long seed) {}

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
      @Context HttpServerResponse response) {
    ImagesRequest r = generations.parse(body, ImagesRequest.class);
    Generations.TaskId taskId = Generations.taskId("task_id", r.taskId());
    return generations.refusing(taskId, () -> {
      Generations.prompt("prompt", r.prompt());
      if (r.responseFormat() != null && !r.responseFormat().equals("b64_json")) {
        throw ApiException.invalid("response_format",
            "response_format '" + r.responseFormat() + "' is not served; use 'b64_json'");
      }
      GenerationSettings d = generations.defaults();
      int n = r.n() == null ? d.batchSize() : r.n();
      checkN(n, generations.limits());
      int w = d.width();
      int h = d.height();
      if (r.size() != null) {
        Matcher m = SIZE.matcher(r.size());
        if (!m.matches()) {
          throw ApiException.invalid("size", "'size' must look like \"512x512\", got \"" + r.size() + "\"");
        }
        w = Integer.parseInt(m.group(1));
        h = Integer.parseInt(m.group(2));
      }
      GenerationSettings s = settings(n, w, h, r.steps(), r.sampler(), r.scheduler(), r.guidanceScale(), r.seed());
      String negative = r.negativePrompt() == null ? "" : r.negativePrompt();
      Optional<HiresFix> hires = r.hires(s);
      Generations.Selected selected = generations.select("model", r.model(), r.prompt(), negative, r.loras());
      return response(generations.run(selected, new GenerationRequest.TextToImage(selected.prompt(), negative, s, hires),
          taskId, response, "size"), r.prompt());
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
      @Context HttpServerResponse response) {
    Generations.TaskId task = Generations.taskId("task_id", taskId);
    return generations.refusing(task, () -> {
      if (image == null) {
        throw ApiException.invalid("image", "'image' (a PNG or JPEG file part) is required");
      }
      Generations.prompt("prompt", prompt);
      if (responseFormat != null && !responseFormat.equals("b64_json")) {
        throw ApiException.invalid("response_format", "response_format '" + responseFormat + "' is not served; use 'b64_json'");
      }
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
      return response(generations.run(selected, request, task, response, "image"), prompt);
    });
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


  private static ImagesResponse response(GenerationResult result, String prompt) {
    Base64.Encoder b64 = Base64.getEncoder();
    List<Image> data = result.images().stream()
        .map((GeneratedImage g) -> new Image(b64.encodeToString(g.png()), prompt, g.seed())).toList();
    return new ImagesResponse(System.currentTimeMillis() / 1000, data);
  }
}
