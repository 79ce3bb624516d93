package io.github.ldm4j.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The generation parameters in AUTOMATIC1111's text form, as stored in a PNG's {@code parameters}
 * chunk: the prompt, a {@code Negative prompt:} line when there is one, then one line of
 * comma-separated {@code Key: value} pairs. A {@link Variation} adds A1111's {@code Variation seed} and
 * {@code Variation seed strength}, a {@link SeedResize} its {@code Seed resize from}. With a {@link HiresFix}, {@code Size} is the first
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
    return format(request, sampler, scheduler, seed, request.settings().imageSubseed(0), model, provenance);
  }

  /**
   * Formats the parameters of image {@code index} of the batch: its seed and variation seed as
   * {@link GenerationSettings#imageSeed} and {@link GenerationSettings#imageSubseed} assign them, the
   * rest as {@link #format(GenerationRequest, String, String, long, String, Provenance)}.
   */
  public static String forImage(GenerationRequest request, String sampler, String scheduler, int index, String model,
      Provenance provenance) {
    GenerationSettings s = request.settings();
    return format(request, sampler, scheduler, s.imageSeed(index), s.imageSubseed(index), model, provenance);
  }

  private static String format(GenerationRequest request, String sampler, String scheduler, long seed,
      java.util.Optional<Long> subseed, String model, Provenance provenance) {
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
    s.variation().ifPresent(v -> {
      kv.add("Variation seed: " + subseed.orElseThrow());
      kv.add("Variation seed strength: " + number(v.strength()));
    });
    s.seedResize().ifPresent(r -> kv.add("Seed resize from: " + r.width() + "x" + r.height()));
    switch (request) {
      case GenerationRequest.ImageToImage i -> kv.add("Denoising strength: " + number(i.strength()));
      case GenerationRequest.Inpainting i -> kv.add("Denoising strength: " + number(i.strength()));
      case GenerationRequest.TextToImage t -> t.hires().ifPresent(h -> kv.add("Denoising strength: " + number(h.denoisingStrength())));
    }
    if (s.clipSkip() > 1) {
      kv.add("Clip skip: " + s.clipSkip());
    }
    if (request instanceof GenerationRequest.TextToImage t && t.hires().isPresent()) {
      HiresFix h = t.hires().get();
      switch (h.target()) {
        case HiresFix.Scale scale -> kv.add("Hires upscale: " + number(scale.factor()));
        case HiresFix.Size size -> kv.add("Hires resize: " + size.width() + "x" + size.height());
      }
      if (h.steps() > 0) {
        kv.add("Hires steps: " + h.steps());
      }
      kv.add("Hires upscaler: " + quote(h.upscaler().a1111Name()));
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
    if (!s.quantize().equals(GenerationSettings.DEFAULTS.quantize())) {
      kv.add("Quantize: " + s.quantize().label());
    }
    kv.add("Version: ldm4j");
    sb.append('\n').append(String.join(", ", kv));
    return sb.toString();
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
