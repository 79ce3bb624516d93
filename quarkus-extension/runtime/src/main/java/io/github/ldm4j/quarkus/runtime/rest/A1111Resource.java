package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.sampler.Samplers;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The AUTOMATIC1111 web-UI API subset many clients speak: {@code POST /sdapi/v1/txt2img}, {@code
 * GET /sdapi/v1/samplers}, {@code GET /sdapi/v1/progress}. Sampler names may be A1111's ("Euler a",
 * "DPM++ 2M Karras") or ldm4j's.
 */
@Path("/sdapi/v1")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public class A1111Resource {

  /** A1111 display names of ldm4j samplers. */
  static final Map<String, String> A1111_NAMES = Map.ofEntries(Map.entry("euler", "Euler"),
      Map.entry("euler_ancestral", "Euler a"), Map.entry("heun", "Heun"), Map.entry("lms", "LMS"),
      Map.entry("dpm_2", "DPM2"), Map.entry("dpm_2_ancestral", "DPM2 a"), Map.entry("dpmpp_2s_ancestral", "DPM++ 2S a"),
      Map.entry("dpmpp_sde", "DPM++ SDE"), Map.entry("dpmpp_2m", "DPM++ 2M"), Map.entry("dpmpp_2m_sde", "DPM++ 2M SDE"),
      Map.entry("dpmpp_3m_sde", "DPM++ 3M SDE"), Map.entry("ddim", "DDIM"), Map.entry("plms", "PLMS"),
      Map.entry("uni_pc", "UniPC"), Map.entry("lcm", "LCM"), Map.entry("ddpm", "DDPM"),
      Map.entry("dpm_solver", "DPM Solver"));

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
   */
  public record Txt2ImgRequest(String prompt, String negativePrompt, Integer steps, Double cfgScale, Integer width,
      Integer height, Long seed, String samplerName, String scheduler, Integer batchSize) {}

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
   * Progress of the current (or last) generation.
   *
   * @param progress fraction in [0, 1]
   * @param etaRelative not estimated: 0
   * @param state job count and steps
   * @param currentImage not sent: null
   */
  public record Progress(double progress, @JsonProperty("eta_relative") double etaRelative, State state,
      @JsonProperty("current_image") String currentImage) {}

  /**
   * Progress state.
   *
   * @param jobCount generations running or waiting
   * @param samplingStep current step
   * @param samplingSteps total steps
   */
  public record State(@JsonProperty("job_count") int jobCount, @JsonProperty("sampling_step") int samplingStep,
      @JsonProperty("sampling_steps") int samplingSteps) {}

  /** Text to image. */
  @POST
  @Path("/txt2img")
  @Blocking
  @Consumes(MediaType.WILDCARD)
  public Txt2ImgResponse txt2img(byte[] body) {
    Txt2ImgRequest r = generations.parse(body, Txt2ImgRequest.class);
    if (r.prompt() == null || r.prompt().isBlank()) {
      throw ApiException.invalid("prompt", "'prompt' is required and must not be blank");
    }
    String[] samplerAndSchedule = samplerName(r.samplerName());
    Generations.checkSampler("sampler_name", samplerAndSchedule[0]);
    String schedule = r.scheduler() != null && !r.scheduler().equalsIgnoreCase("automatic")
        ? r.scheduler().toLowerCase(Locale.ROOT) : samplerAndSchedule[1];
    Generations.checkScheduler("scheduler", schedule);
    if (r.steps() != null && r.steps() < 1) {
      throw ApiException.invalid("steps", "'steps' must be >= 1, got " + r.steps());
    }
    GenerationSettings d = generations.defaults();
    long seed = r.seed() == null || r.seed() < 0 ? Generations.randomSeed() : r.seed();
    GenerationSettings s = Generations.settings(() -> {
      GenerationSettings t = d.withSize(r.width() != null ? r.width() : d.width(), r.height() != null ? r.height() : d.height())
          .withBatchSize(r.batchSize() != null ? r.batchSize() : 1).withSeed(seed, d.rng());
      if (r.steps() != null) {
        t = t.withSteps(r.steps());
      }
      if (samplerAndSchedule[0] != null || schedule != null) {
        t = t.withSampler(samplerAndSchedule[0] != null ? samplerAndSchedule[0] : d.sampler().orElse(null),
            schedule != null ? schedule : d.scheduler().orElse(null));
      }
      if (r.cfgScale() != null) {
        t = t.withGuidance(r.cfgScale(), d.guidanceRescale());
      }
      return t;
    });
    String negative = r.negativePrompt() == null ? "" : r.negativePrompt();
    GenerationResult result = generations.run(generations.model(null), new GenerationRequest.TextToImage(r.prompt(), negative, s));
    Base64.Encoder b64 = Base64.getEncoder();
    List<String> images = result.images().stream().map(GeneratedImage::png).map(b64::encodeToString).toList();
    List<Long> seeds = result.images().stream().map(GeneratedImage::seed).toList();
    String info = "{\"seed\":" + seeds.getFirst() + ",\"all_seeds\":" + seeds + ",\"sampler_name\":\"" + result.sampler()
        + "\",\"scheduler\":\"" + result.schedule() + "\",\"steps\":" + s.steps() + ",\"width\":" + s.width()
        + ",\"height\":" + s.height() + "}";
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
        .map(n -> new SamplerItem(A1111_NAMES.getOrDefault(n, n), List.of(n), Map.of())).toList();
  }

  /** Progress of the running (or last) generation. */
  @GET
  @Path("/progress")
  public Progress progress() {
    int jobs = generations.service().running() + generations.service().queueDepth();
    Optional<ProgressEvent> e = generations.service().latestProgress();
    int step = e.map(ProgressEvent::step).orElse(0);
    int total = e.map(ProgressEvent::totalSteps).orElse(0);
    double fraction = jobs == 0 ? 0 : e.map(ProgressEvent::fraction).orElse(0.0);
    return new Progress(fraction, 0, new State(jobs, step, total), null);
  }

  /**
   * An A1111 or ldm4j sampler name as {ldm4j sampler, schedule or null}; "DPM++ 2M Karras" gives
   * {dpmpp_2m, karras}.
   */
  static String[] samplerName(String name) {
    if (name == null || name.isBlank()) {
      return new String[] {null, null};
    }
    String n = name.trim();
    String schedule = null;
    for (String suffix : List.of("Karras", "Exponential")) {
      if (n.endsWith(" " + suffix)) {
        schedule = suffix.toLowerCase(Locale.ROOT);
        n = n.substring(0, n.length() - suffix.length() - 1);
      }
    }
    for (Map.Entry<String, String> e : A1111_NAMES.entrySet()) {
      if (e.getValue().equalsIgnoreCase(n)) {
        return new String[] {e.getKey(), schedule};
      }
    }
    return new String[] {n, schedule};
  }
}
