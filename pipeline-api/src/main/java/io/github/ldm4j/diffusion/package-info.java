/**
 * The diffusion mathematics of CompVis {@code DDPM} / {@code LatentDiffusion} that generation uses,
 * one concern per type:
 *
 * <ul>
 *   <li>{@link io.github.ldm4j.diffusion.ForwardProcess}: {@code q_sample}, {@code q_mean_variance},
 *       {@code q_posterior}, {@code predict_start_from_noise} / {@code _from_z_and_v}, {@code get_v};
 *   <li>{@link io.github.ldm4j.diffusion.ReverseProcess}: {@code p_mean_variance} for eps, x0 and v
 *       models, {@code clip_denoised}, {@code p_sample};
 *   <li>{@link io.github.ldm4j.diffusion.AncestralSampling}: {@code p_sample_loop}, the T-step
 *       ancestral DDPM loop over a {@link io.github.ldm4j.sampler.SamplingRun};
 *   <li>{@link io.github.ldm4j.diffusion.ScaleFactor}: the latent {@code scale_factor} policy
 *       (fixed, the first stage's, {@code scale_by_std}).
 * </ul>
 *
 * The training-only formulas ({@code p_losses}, {@code LitEma}, timestep draws) are in {@code
 * io.github.ldm4j.reference.training}.
 *
 * <p>Timesteps are integers in [0, T), one per batch item; schedule values are read in double
 * precision and each tensor element is rounded to float once.
 */
package io.github.ldm4j.diffusion;
