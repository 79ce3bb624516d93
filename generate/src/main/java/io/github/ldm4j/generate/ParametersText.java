package io.github.ldm4j.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The generation parameters in AUTOMATIC1111's text form, as stored in a PNG's {@code parameters}
 * chunk: the prompt, a {@code Negative prompt:} line when there is one, then one line of
 * comma-separated {@code Key: value} pairs.
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
    GenerationSettings s = request.settings();
    StringBuilder sb = new StringBuilder(request.prompt());
    if (!request.negativePrompt().isEmpty()) {
      sb.append("\nNegative prompt: ").append(request.negativePrompt());
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
    kv.add("Model: " + model);
    switch (request) {
      case GenerationRequest.ImageToImage i -> kv.add("Denoising strength: " + number(i.strength()));
      case GenerationRequest.Inpainting i -> kv.add("Denoising strength: " + number(i.strength()));
      case GenerationRequest.TextToImage t -> { }
    }
    if (s.clipSkip() > 1) {
      kv.add("Clip skip: " + s.clipSkip());
    }
    kv.add("RNG: " + s.rng().name().toLowerCase(Locale.ROOT));
    if (!s.quantize().equals(GenerationSettings.DEFAULTS.quantize())) {
      kv.add("Quantize: " + s.quantize().label());
    }
    kv.add("Version: ldm4j");
    sb.append('\n').append(String.join(", ", kv));
    return sb.toString();
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
