package io.github.ldm4j.samplers.diffusers;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The diffusers scheduler classes a {@code scheduler_config.json} can name ({@code _class_name}),
 * with the defaults of theirs that differ between classes.
 */
public enum DiffusersClass {
  /** {@code DDIMScheduler}. */
  DDIM("DDIMScheduler", "leading", true),
  /** {@code PNDMScheduler}. */
  PNDM("PNDMScheduler", "leading", false),
  /** {@code DDPMScheduler}. */
  DDPM("DDPMScheduler", "leading", false),
  /** {@code LMSDiscreteScheduler}. */
  LMS("LMSDiscreteScheduler", "linspace", false),
  /** {@code EulerDiscreteScheduler}. */
  EULER("EulerDiscreteScheduler", "linspace", false),
  /** {@code EulerAncestralDiscreteScheduler}. */
  EULER_ANCESTRAL("EulerAncestralDiscreteScheduler", "linspace", false),
  /** {@code HeunDiscreteScheduler}. */
  HEUN("HeunDiscreteScheduler", "linspace", false),
  /** {@code KDPM2DiscreteScheduler}. */
  KDPM2("KDPM2DiscreteScheduler", "linspace", false),
  /** {@code KDPM2AncestralDiscreteScheduler}. */
  KDPM2_ANCESTRAL("KDPM2AncestralDiscreteScheduler", "linspace", false),
  /** {@code DPMSolverMultistepScheduler}. */
  DPM_SOLVER_MULTISTEP("DPMSolverMultistepScheduler", "linspace", false),
  /** {@code DPMSolverSinglestepScheduler}. */
  DPM_SOLVER_SINGLESTEP("DPMSolverSinglestepScheduler", "linspace", false),
  /** {@code UniPCMultistepScheduler}. */
  UNIPC("UniPCMultistepScheduler", "linspace", false),
  /** {@code LCMScheduler}. */
  LCM("LCMScheduler", "leading", true);

  private final String className;
  private final String defaultSpacing;
  private final boolean defaultSetAlphaToOne;

  DiffusersClass(String className, String defaultSpacing, boolean defaultSetAlphaToOne) {
    this.className = className;
    this.defaultSpacing = defaultSpacing;
    this.defaultSetAlphaToOne = defaultSetAlphaToOne;
  }

  /** The {@code _class_name}. */
  public String className() {
    return className;
  }

  /** The class's default {@code timestep_spacing}. */
  public String defaultSpacing() {
    return defaultSpacing;
  }

  /** The class's default {@code set_alpha_to_one} (where it has one). */
  public boolean defaultSetAlphaToOne() {
    return defaultSetAlphaToOne;
  }

  /** Whether the class builds σ schedules from {@code use_karras_sigmas} and friends. */
  public boolean hasSigmaOptions() {
    return switch (this) {
      case DDIM, PNDM, DDPM, LCM -> false;
      default -> true;
    };
  }

  /**
   * The class named {@code name}.
   *
   * @throws IllegalArgumentException for a class not supported here; the message lists those that are
   */
  public static DiffusersClass fromClassName(String name) {
    for (DiffusersClass c : values()) {
      if (c.className.equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unsupported scheduler _class_name '" + name + "'; supported: "
        + Arrays.stream(values()).map(DiffusersClass::className).collect(Collectors.joining(", ")));
  }
}
