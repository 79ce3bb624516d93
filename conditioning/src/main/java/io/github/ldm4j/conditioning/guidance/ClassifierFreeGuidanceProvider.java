package io.github.ldm4j.conditioning.guidance;

import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.sampler.GuidanceProvider;
import io.github.ldm4j.sampler.Guidances;
import io.github.ldm4j.sampler.ModelFunction;

/**
 * Registers {@link ClassifierFreeGuidance} with the pipeline: {@code cfg} makes one batched 2B
 * model call per step; {@code cfg_split} makes two B calls (less memory, same result).
 */
public class ClassifierFreeGuidanceProvider implements GuidanceProvider {

  private final String name;
  private final GuidanceBatching batching;

  /** {@code cfg}: one batched call. Used by {@link java.util.ServiceLoader}. */
  public ClassifierFreeGuidanceProvider() {
    this(Guidances.CLASSIFIER_FREE, GuidanceBatching.BATCHED);
  }

  ClassifierFreeGuidanceProvider(String name, GuidanceBatching batching) {
    this.name = name;
    this.batching = batching;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ModelFunction guide(Denoiser denoiser, Conditioning cond, Conditioning uncond, double scale, double rescale) {
    if (cond instanceof Conditioning.None) {
      return ClassifierFreeGuidance.conditional(denoiser, cond);
    }
    GuidanceOptions options = GuidanceOptions.of(scale).withRescale(rescale).withBatching(batching);
    return ClassifierFreeGuidance.wrap(denoiser, cond, uncond, options);
  }

  /** {@code cfg_split}: the memory-saving two-call variant. Used by {@link java.util.ServiceLoader}. */
  public static final class Split extends ClassifierFreeGuidanceProvider {
    /** Registers {@code cfg_split}. */
    public Split() {
      super("cfg_split", GuidanceBatching.SEPARATE);
    }
  }
}
