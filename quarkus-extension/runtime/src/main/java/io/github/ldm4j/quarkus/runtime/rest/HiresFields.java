package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.HiresUpscaler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one mapping of a request's hires-fix fields onto the library's {@link HiresFix}, shared by
 * the AUTOMATIC1111 txt2img request ({@code hr_*}, {@link A1111Hires}) and the OpenAI endpoint's
 * ldm4j extension fields ({@code hires_*}): each 400 names the field as the request spells it.
 *
 * @param scale the field of the scale factor ({@code hr_scale} / {@code hires_scale})
 * @param width the field of the target width ({@code hr_resize_x} / {@code hires_width})
 * @param height the field of the target height ({@code hr_resize_y} / {@code hires_height})
 * @param upscaler the field of the upscaler's name ({@code hr_upscaler} / {@code hires_upscaler})
 * @param steps the field of the second pass's steps ({@code hr_second_pass_steps} / {@code hires_steps})
 * @param strength the field of the second pass's strength ({@code denoising_strength} / {@code hires_strength})
 */
record HiresFields(String scale, String width, String height, String upscaler, String steps, String strength) {

  /** AUTOMATIC1111's names. */
  static final HiresFields A1111 = new HiresFields("hr_scale", "hr_resize_x", "hr_resize_y", "hr_upscaler",
      "hr_second_pass_steps", "denoising_strength");

  /** The OpenAI endpoint's ldm4j extension fields. */
  static final HiresFields OPENAI = new HiresFields("hires_scale", "hires_width", "hires_height", "hires_upscaler",
      "hires_steps", "hires_strength");

  /**
   * The hires fix for a first pass of {@code first}'s size: to {@code width × height} when either is
   * given (non-zero), else by {@code factor} (null: {@link HiresFix#DEFAULT_SCALE}); the upscaler by
   * name (null: {@link HiresUpscaler#DEFAULT}), second-pass steps (null: 0, as many as the first
   * pass) and strength (null: {@link GenerationRequest#DEFAULT_STRENGTH}). 400 naming the field for
   * a value out of range, an unknown upscaler (listing the known ones) and a scale or size whose final
   * size is not a multiple of 8.
   */
  HiresFix fix(GenerationSettings first, Double factor, Integer targetWidth, Integer targetHeight, String upscalerName,
      Integer secondPassSteps, Double denoisingStrength) {
    int w = targetWidth == null ? 0 : targetWidth;
    int h = targetHeight == null ? 0 : targetHeight;
    String targetParam;
    if (w == 0 && h == 0) {
      targetParam = scale;
    } else if (w < 0 || w % 8 != 0) {
      targetParam = width;
    } else if (h < 0 || h % 8 != 0) {
      targetParam = height;
    } else {
      targetParam = w != 0 ? width : height;
    }
    HiresFix.Target target;
    try {
      target = w != 0 || h != 0 ? new HiresFix.Size(w, h)
          : new HiresFix.Scale(factor != null ? factor : Double.parseDouble(HiresFix.DEFAULT_SCALE));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(targetParam, "'" + targetParam + "': " + e.getMessage());
    }
    HiresUpscaler up;
    try {
      up = HiresUpscaler.fromName(upscalerName != null ? upscalerName : HiresUpscaler.DEFAULT);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(upscaler, "'" + upscaler + "': " + e.getMessage());
    }
    int n = secondPassSteps == null ? 0 : secondPassSteps;
    if (n < 0) {
      throw ApiException.invalid(steps, "'" + steps + "' must be >= 0 (0 = as many as the first pass), got " + n);
    }
    double s = denoisingStrength != null ? denoisingStrength : Double.parseDouble(GenerationRequest.DEFAULT_STRENGTH);
    if (!(s > 0 && s <= 1)) {
      throw ApiException.invalid(strength, "'" + strength + "' must be in (0, 1], got " + s);
    }
    HiresFix fix = new HiresFix(target, up, n, s);
    try {
      fix.resolve(first.width(), first.height());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(targetParam, "'" + targetParam + "': " + e.getMessage());
    }
    return fix;
  }

  /**
   * The hires fix's entries of AUTOMATIC1111's {@code extra_generation_params}, as the images'
   * parameters text writes them ({@link io.github.ldm4j.generate.ParametersText#hiresParameters}),
   * after {@code Denoising strength}.
   */
  static Map<String, Object> extraGenerationParams(HiresFix fix) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Denoising strength", fix.denoisingStrength());
    m.putAll(io.github.ldm4j.generate.ParametersText.hiresParameters(fix));
    return m;
  }
}
