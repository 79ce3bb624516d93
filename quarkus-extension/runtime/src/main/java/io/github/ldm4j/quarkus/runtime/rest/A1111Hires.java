package io.github.ldm4j.quarkus.runtime.rest;

import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.HiresUpscaler;
import java.util.Optional;

/**
 * The hires-fix fields of AUTOMATIC1111's txt2img request ({@code enable_hr} and the {@code hr_*}
 * fields, {@code StableDiffusionProcessingTxt2Img}), mapped onto the library's {@link HiresFix}
 * through {@link HiresFields#A1111}. Without {@code enable_hr} they are ignored, as A1111 ignores
 * them. {@code hr_upscaler} {@code "None"} is a Lanczos resize in A1111 (its {@code UpscalerNone}
 * returns the image unchanged, then {@code resize_image} resizes it with {@code LANCZOS}), so it runs
 * as {@link HiresUpscaler#LANCZOS}. The second pass runs with the first pass's sampler, scheduler and
 * prompts: {@code hr_sampler_name}, {@code hr_scheduler}, {@code hr_prompt} and {@code
 * hr_negative_prompt} are accepted at their neutral values (absent, empty, A1111's "Use same …", or
 * the first pass's value) and any other value is a 400 naming the field.
 *
 * @param enableHr whether the hires fix runs
 * @param hrScale the scale factor in [1, 8] (default 2), when neither resize is given
 * @param hrResizeX the target width (multiple of 8; 0 = from the height and aspect ratio)
 * @param hrResizeY the target height (multiple of 8; 0 = from the width and aspect ratio)
 * @param hrUpscaler the upscaler's A1111 name (default "Latent")
 * @param hrSecondPassSteps second-pass steps; 0 = as many as the first pass
 * @param denoisingStrength the second pass's strength in (0, 1] (default 0.75, A1111's)
 * @param hrSamplerName the second pass's sampler: neutral values only
 * @param hrScheduler the second pass's scheduler: neutral values only
 * @param hrPrompt the second pass's prompt: neutral values only
 * @param hrNegativePrompt the second pass's negative prompt: neutral values only
 */
record A1111Hires(Boolean enableHr, Double hrScale, Integer hrResizeX, Integer hrResizeY, String hrUpscaler,
    Integer hrSecondPassSteps, Double denoisingStrength, String hrSamplerName, String hrScheduler, String hrPrompt,
    String hrNegativePrompt) {

  /** A1111's name of the upscaler that resizes with Lanczos (see the class comment). */
  static final String NONE = "None";

  /**
   * The hires fix the fields ask for on a first pass of {@code first}, given the first pass's
   * sampler, scheduler and prompts as the request wrote them; empty without {@code enable_hr}.
   */
  Optional<HiresFix> fix(GenerationSettings first, String samplerName, String scheduler, String prompt,
      String negativePrompt) {
    if (enableHr == null || !enableHr) {
      return Optional.empty();
    }
    neutral("hr_sampler_name", hrSamplerName, samplerName, "Use same sampler", "the first pass's sampler");
    neutral("hr_scheduler", hrScheduler, scheduler, "Use same scheduler", "the first pass's scheduler");
    neutral("hr_prompt", hrPrompt, prompt, null, "the prompt");
    neutral("hr_negative_prompt", hrNegativePrompt, negativePrompt, null, "the negative prompt");
    String upscaler = hrUpscaler != null && hrUpscaler.strip().equalsIgnoreCase(NONE)
        ? HiresUpscaler.LANCZOS.a1111Name() : hrUpscaler;
    try {
      return Optional.of(HiresFields.A1111.fix(first, hrScale, hrResizeX, hrResizeY, upscaler, hrSecondPassSteps,
          denoisingStrength));
    } catch (ApiException e) {
      if ("hr_upscaler".equals(e.body().error().param())) {
        throw ApiException.invalid("hr_upscaler", e.getMessage() + ", " + NONE + " (a Lanczos resize)");
      }
      throw e;
    }
  }

  /** 400 naming {@code param} unless {@code value} is absent, empty, {@code same} or {@code first}. */
  private static void neutral(String param, String value, String first, String same, String what) {
    if (value == null || value.isEmpty() || value.equals(same) || value.equals(first)
        || (first == null && value.isBlank())) {
      return;
    }
    throw ApiException.invalid(param, "'" + param + "' is not served yet: the hires second pass runs with " + what
        + "; leave it empty" + (same != null ? " or \"" + same + "\"" : ""));
  }
}
