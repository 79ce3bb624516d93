package io.github.ldm4j.generate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The generation parameters in AUTOMATIC1111's text form, as stored in a PNG's {@code parameters}
 * chunk: the prompt, a {@code Negative prompt:} line when there is one, then one line of
 * comma-separated {@code Key: value} pairs. With a {@link HiresFix}, {@code Size} is the first
 * pass's, followed by A1111's {@code Denoising strength}, {@code Hires upscale} (or {@code Hires
 * resize}), {@code Hires steps} (when not 0) and {@code Hires upscaler}.
 */
public final class ParametersText {

  private ParametersText() {}

  /**
   * Formats the parameters of one image.
   *
   * @param request the request
   * @param sampler the sampler actually used
   * @param scheduler the schedule actually used
   * @param seed the image's own seed
   * @param model the model's name
   */
  public static String format(GenerationRequest request, String sampler, String scheduler, long seed, String model) {
    return format(request, sampler, scheduler, seed, model, Provenance.of(request));
  }

  /**
   * Formats the parameters of one image with what {@code provenance} adds, in A1111's order: {@code
   * Model hash} before {@code Model}, {@code VAE hash} and {@code VAE} after it, {@code Lora hashes}
   * ({@code "name: hash, name: hash"}) before {@code Version}; values holding a comma, colon or line
   * break quoted as A1111 quotes them (a JSON string).
   *
   * @param model the model folder's name, used when {@code provenance} names no model
   */
  public static String format(GenerationRequest request, String sampler, String scheduler, long seed, String model,
      Provenance provenance) {
    GenerationSettings s = request.settings();
    StringBuilder sb = new StringBuilder(provenance.prompt());
    if (!provenance.negativePrompt().isEmpty()) {
      sb.append("\nNegative prompt: ").append(provenance.negativePrompt());
    }
    List<String> kv = new ArrayList<>();
    kv.add("Steps: " + s.steps());
    kv.add("Sampler: " + sampler);
    kv.add("Schedule type: " + scheduler);
    kv.add("CFG scale: " + number(s.guidanceScale()));
    if (s.guidanceRescale() > 0) {
      kv.add("CFG rescale: " + number(s.guidanceRescale()));
    }
    kv.add("Seed: " + seed);
    kv.add("Size: " + s.width() + "x" + s.height());
    provenance.modelHash().ifPresent(h -> kv.add("Model hash: " + h));
    kv.add("Model: " + quote(provenance.model().orElse(model)));
    provenance.vaeHash().ifPresent(h -> kv.add("VAE hash: " + h));
    provenance.vae().ifPresent(v -> kv.add("VAE: " + quote(v)));
    switch (request) {
      case GenerationRequest.ImageToImage i -> kv.add("Denoising strength: " + number(i.strength()));
      case GenerationRequest.Inpainting i -> kv.add("Denoising strength: " + number(i.strength()));
      case GenerationRequest.TextToImage t -> t.hires().ifPresent(h -> kv.add("Denoising strength: " + number(h.denoisingStrength())));
    }
    if (s.clipSkip() > 1) {
      kv.add("Clip skip: " + s.clipSkip());
    }
    if (request instanceof GenerationRequest.TextToImage t && t.hires().isPresent()) {
      hiresParameters(t.hires().get()).forEach((k, v) -> kv.add(k + ": " + switch (v) {
        case Double d -> number(d);
        case String str -> quote(str);
        default -> v.toString();
      }));
    }
    if (!provenance.loraHashes().isEmpty()) {
      List<String> hashes = new ArrayList<>();
      provenance.loraHashes().forEach((name, hash) -> hashes.add(name.replace(":", "").replace(",", "") + ": " + hash));
      kv.add("Lora hashes: " + quote(String.join(", ", hashes)));
    }
    if (!provenance.tiHashes().isEmpty()) {
      List<String> hashes = new ArrayList<>();
      provenance.tiHashes().forEach((name, hash) -> hashes.add(name.replace(":", "").replace(",", "") + ": " + hash));
      kv.add("TI hashes: " + quote(String.join(", ", hashes)));
    }
    kv.add("RNG: " + s.rng().name().toLowerCase(Locale.ROOT));
    if (s.guidanceCutoffSigma() > 0) {
      // A1111's infotext for s_min_uncond (after RNG, as create_infotext orders it), with its "all steps" option (ldm4j skips on every step below it)
      kv.add("NGMS: " + number(s.guidanceCutoffSigma()));
      kv.add("NGMS all steps: True");
    }
    if (!s.quantize().equals(GenerationSettings.DEFAULTS.quantize())) {
      kv.add("Quantize: " + s.quantize().label());
    }
    kv.add("Version: ldm4j");
    sb.append('\n').append(String.join(", ", kv));
    return sb.toString();
  }

  /**
   * A hires fix's keys as AUTOMATIC1111 writes them (its {@code extra_generation_params}), in its
   * order: {@code Hires upscale} (a Double) or {@code Hires resize} ({@code "WxH"}), {@code Hires
   * steps} (an Integer, when not 0), {@code Hires upscaler} (its A1111 name). {@code Denoising
   * strength} is not among them: it is written before {@code Clip skip}.
   */
  public static Map<String, Object> hiresParameters(HiresFix h) {
    Map<String, Object> m = new LinkedHashMap<>();
    switch (h.target()) {
      case HiresFix.Scale scale -> m.put("Hires upscale", scale.factor());
      case HiresFix.Size size -> m.put("Hires resize", size.width() + "x" + size.height());
    }
    if (h.steps() > 0) {
      m.put("Hires steps", h.steps());
    }
    m.put("Hires upscaler", h.upscaler().a1111Name());
    return m;
  }

  /** A1111's {@code quote}: a value with a comma, colon or line break as a JSON string, else as it is. */
  static String quote(String v) {
    if (v.indexOf(',') < 0 && v.indexOf(':') < 0 && v.indexOf('\n') < 0) {
      return v;
    }
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
