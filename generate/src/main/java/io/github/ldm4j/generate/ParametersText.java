package io.github.ldm4j.generate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

  /** Longest text {@link #parse} reads, in characters. */
  public static final int MAX_PARSE_LENGTH = 1 << 20;

  /**
   * Reads parameters text as AUTOMATIC1111's {@code parse_generation_parameters} does (any writer's,
   * ldm4j's or A1111's), without the defaults A1111 then fills in: the last line is the {@code Key:
   * value} line when it holds at least three pairs; from a line starting with {@code Negative prompt:}
   * on, the lines are the negative prompt; the lines before are the prompt. Values quoted as JSON
   * strings are unquoted; a value {@code WxH} (as {@code Size: 512x512}) becomes {@code Key-1} and
   * {@code Key-2}; an empty value is dropped; a key given twice keeps its last value. The result maps
   * {@code Prompt}, {@code Negative prompt} (empty when absent), then the keys in order. Linear in the
   * length of the text.
   *
   * @throws IllegalArgumentException when {@code text} is longer than {@value #MAX_PARSE_LENGTH} characters
   */
  public static java.util.Map<String, String> parse(String text) {
    if (text.length() > MAX_PARSE_LENGTH) {
      throw new IllegalArgumentException("parameters text of " + text.length() + " characters exceeds the limit of "
          + MAX_PARSE_LENGTH);
    }
    String[] lines = text.strip().split("\n", -1);
    List<String[]> pairs = pairs(lines[lines.length - 1]);
    int promptLines = lines.length;
    if (pairs.size() >= 3) {
      promptLines--;
    } else {
      pairs = List.of();
    }
    StringBuilder prompt = new StringBuilder();
    StringBuilder negative = new StringBuilder();
    boolean inNegative = false;
    for (int i = 0; i < promptLines; i++) {
      String line = lines[i].strip();
      if (line.startsWith("Negative prompt:")) {
        inNegative = true;
        line = line.substring("Negative prompt:".length()).strip();
      }
      StringBuilder target = inNegative ? negative : prompt;
      if (!target.isEmpty()) {
        target.append('\n');
      }
      target.append(line);
    }
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    out.put("Prompt", prompt.toString());
    out.put("Negative prompt", negative.toString());
    for (String[] kv : pairs) {
      String v = kv[1];
      if (v.isEmpty()) {
        continue;
      }
      if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
        v = unquote(v);
      }
      int x = v.indexOf('x');
      if (x > 0 && x < v.length() - 1 && digits(v, 0, x) && digits(v, x + 1, v.length())) {
        out.put(kv[0] + "-1", v.substring(0, x));
        out.put(kv[0] + "-2", v.substring(x + 1));
      } else {
        out.put(kv[0], v);
      }
    }
    return out;
  }

  private static boolean digits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean word(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private static boolean keyChar(char c) {
    return word(c) || c == ' ' || c == '-' || c == '/';
  }

  /**
   * The matches of A1111's {@code re_param} ({@code \s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)})
   * in {@code line}, found by a linear scan instead of the regular expression: a failed key at a
   * position fails at every later position of the same run of key characters, so the scan goes on
   * after the run.
   */
  private static List<String[]> pairs(String line) {
    List<String[]> out = new ArrayList<>();
    int n = line.length();
    int i = 0;
    while (i < n) {
      int k = i;
      while (k < n && Character.isWhitespace(line.charAt(k))) {
        k++;
      }
      if (k >= n || !word(line.charAt(k))) {
        i = k + 1;
        continue;
      }
      int end = k + 1;
      while (end < n && keyChar(line.charAt(end))) {
        end++;
      }
      if (end - k < 2 || end >= n || line.charAt(end) != ':') {
        i = Math.max(end, i + 1);
        continue;
      }
      String key = line.substring(k, end);
      int v = end + 1;
      while (v < n && Character.isWhitespace(line.charAt(v))) {
        v++;
      }
      int after = quotedEnd(line, v);
      if (after < 0 || (after < n && line.charAt(after) != ',')) {
        after = v;
        while (after < n && line.charAt(after) != ',') {
          after++;
        }
      }
      out.add(new String[] {key, line.substring(v, after)});
      i = after < n ? after + 1 : n;
    }
    return out;
  }

  /** The index after the JSON-quoted string ({@code "(?:\\.|[^\\"])+"}) starting at {@code at}, or -1. */
  private static int quotedEnd(String s, int at) {
    if (at >= s.length() || s.charAt(at) != '"') {
      return -1;
    }
    int i = at + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
      } else if (c == '"') {
        return i > at + 1 ? i + 1 : -1;
      } else {
        i++;
      }
    }
    return -1;
  }

  /** The JSON string {@code quoted} decoded ({@link #quote}'s inverse); as it is when it is not valid JSON. */
  private static String unquote(String quoted) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < quoted.length() - 1; i++) {
      char c = quoted.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (++i >= quoted.length() - 1) {
        return quoted;
      }
      char e = quoted.charAt(i);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          if (i + 4 >= quoted.length()) {
            return quoted;
          }
          try {
            b.append((char) Integer.parseInt(quoted.substring(i + 1, i + 5), 16));
          } catch (NumberFormatException x) {
            return quoted;
          }
          i += 4;
        }
        default -> {
          return quoted;
        }
      }
    }
    return b.toString();
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
