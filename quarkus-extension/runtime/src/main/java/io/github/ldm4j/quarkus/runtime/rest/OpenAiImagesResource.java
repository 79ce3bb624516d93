package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code POST /v1/images/generations}: the OpenAI Images API, so OpenAI client libraries work unchanged. */
@Path("/v1/images")
@Singleton
public class OpenAiImagesResource {

  private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");

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
   * @param model a model name of {@code GET /ldm4j/models}; the default model when absent
   * @param negativePrompt negative prompt
   * @param steps sampler steps
   * @param sampler sampler name
   * @param scheduler schedule name
   * @param guidanceScale classifier-free guidance scale
   * @param seed seed; random when absent
   */
  public record ImagesRequest(String prompt, Integer n, String size, String responseFormat, String model,
      String negativePrompt, Integer steps, String sampler, String scheduler, Double guidanceScale, Long seed) {}

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

  /** Generates images from a prompt. */
  @POST
  @Path("/generations")
  @Blocking
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public ImagesResponse generations(byte[] body) {
    ImagesRequest r = generations.parse(body, ImagesRequest.class);
    if (r.prompt() == null || r.prompt().isBlank()) {
      throw ApiException.invalid("prompt", "'prompt' is required and must not be blank");
    }
    if (r.responseFormat() != null && !r.responseFormat().equals("b64_json")) {
      throw ApiException.invalid("response_format",
          "response_format '" + r.responseFormat() + "' is not served; use 'b64_json'");
    }
    Generator generator = generations.model(r.model());
    GenerationSettings d = generations.defaults();
    int n = r.n() == null ? 1 : r.n();
    if (n < 1) {
      throw ApiException.invalid("n", "'n' must be >= 1, got " + n);
    }
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
    if (r.steps() != null && r.steps() < 1) {
      throw ApiException.invalid("steps", "'steps' must be >= 1, got " + r.steps());
    }
    Generations.checkSampler("sampler", r.sampler());
    Generations.checkScheduler("scheduler", r.scheduler());
    int width = w;
    int height = h;
    GenerationSettings s = Generations.settings(() -> {
      GenerationSettings t = d.withSize(width, height).withBatchSize(n)
          .withSeed(r.seed() != null ? r.seed() : Generations.randomSeed(), d.rng());
      if (r.steps() != null) {
        t = t.withSteps(r.steps());
      }
      if (r.sampler() != null || r.scheduler() != null) {
        t = t.withSampler(r.sampler() != null ? r.sampler() : d.sampler().orElse(null),
            r.scheduler() != null ? r.scheduler() : d.scheduler().orElse(null));
      }
      if (r.guidanceScale() != null) {
        t = t.withGuidance(r.guidanceScale(), d.guidanceRescale());
      }
      return t;
    });
    String negative = r.negativePrompt() == null ? "" : r.negativePrompt();
    GenerationResult result = generations.run(generator, new GenerationRequest.TextToImage(r.prompt(), negative, s));
    Base64.Encoder b64 = Base64.getEncoder();
    List<Image> data = result.images().stream()
        .map((GeneratedImage g) -> new Image(b64.encodeToString(g.png()), r.prompt(), g.seed())).toList();
    return new ImagesResponse(System.currentTimeMillis() / 1000, data);
  }
}
