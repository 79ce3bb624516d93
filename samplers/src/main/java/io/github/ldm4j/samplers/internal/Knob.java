package io.github.ldm4j.samplers.internal;

import io.github.ldm4j.sampler.SamplerOptions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** The tuning knobs of {@link SamplerOptions}, for checking that a sampler only gets those it has. */
public enum Knob {
  /** η (ancestral / DDIM stochasticity). */
  ETA("eta"),
  /** Karras churn: s_churn, s_tmin, s_tmax. */
  CHURN("s_churn/s_tmin/s_tmax"),
  /** s_noise, the scale of added noise. */
  S_NOISE("s_noise"),
  /** Solver order. */
  ORDER("order"),
  /** The SDE samplers' noise source ({@link io.github.ldm4j.sampler.SdeNoise}). */
  NOISE("noise");

  private final String label;

  Knob(String label) {
    this.label = label;
  }

  /** Whether {@code options} sets this knob to something other than the references' default. */
  boolean isSet(SamplerOptions options) {
    return switch (this) {
      case ETA -> options.eta().isPresent();
      case CHURN -> options.sChurn() != 0 || options.sTmin() != 0 || options.sTmax() != Double.POSITIVE_INFINITY;
      case S_NOISE -> options.sNoise() != 1;
      case ORDER -> options.order().isPresent();
      case NOISE -> options.noise().isPresent();
    };
  }

  /**
   * Throws {@link IllegalArgumentException} if {@code options} sets a knob outside {@code supported}.
   *
   * @param sampler the sampler's name, for the message
   */
  public static void requireOnly(String sampler, SamplerOptions options, Set<Knob> supported) {
    for (Knob k : values()) {
      if (!supported.contains(k) && k.isSet(options)) {
        String takes = supported.isEmpty()
            ? "it takes no options"
            : "it takes: " + supported.stream().map(s -> s.label).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("sampler '" + sampler + "' has no " + k.label + " option; " + takes);
      }
    }
  }

  /** {@link #requireOnly} with the knobs given as varargs. */
  public static void requireOnly(String sampler, SamplerOptions options, Knob... supported) {
    requireOnly(sampler, options, supported.length == 0 ? EnumSet.noneOf(Knob.class) : EnumSet.of(supported[0], supported));
  }

  /**
   * The order in {@code options}, or {@code defaultOrder}; throws if outside [{@code min}, {@code max}].
   */
  public static int order(String sampler, SamplerOptions options, int min, int max, int defaultOrder) {
    int o = options.order().orElse(defaultOrder);
    if (o < min || o > max) {
      throw new IllegalArgumentException(
          "sampler '" + sampler + "' supports order " + min + (max > min ? ".." + max : "") + ", got " + o);
    }
    return o;
  }
}
