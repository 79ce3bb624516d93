/**
 * The diffusion mathematics of CompVis {@code DDPM} / {@code LatentDiffusion}, one concern per type:
 *
 * <ul>
 *   <li>{@link io.github.ldm4j.diffusion.ForwardProcess}: {@code q_sample}, {@code q_mean_variance},
 *       {@code q_posterior}, {@code predict_start_from_noise} / {@code _from_z_and_v}, {@code get_v};
 *   <li>{@link io.github.ldm4j.diffusion.ReverseProcess}: {@code p_mean_variance} for eps, x0 and v
 *       models, {@code clip_denoised}, {@code p_sample};
 *   <li>{@link io.github.ldm4j.diffusion.AncestralSampling}: {@code p_sample_loop}, the T-step
 *       ancestral DDPM loop over a {@link io.github.ldm4j.sampler.SamplingRun};
 *   <li>{@link io.github.ldm4j.diffusion.DiffusionLoss}: {@code p_losses} ({@link
 *       io.github.ldm4j.diffusion.LossConfig}, {@link io.github.ldm4j.diffusion.LossTerms}, {@link
 *       io.github.ldm4j.diffusion.LossType}, {@link io.github.ldm4j.diffusion.TimestepDraw}, {@link
 *       io.github.ldm4j.diffusion.BatchModel});
 *   <li>{@link io.github.ldm4j.diffusion.ScaleFactor}: the latent {@code scale_factor} policy
 *       (fixed, the first stage's, {@code scale_by_std});
 *   <li>{@link io.github.ldm4j.diffusion.Ema}: {@code LitEma}, the moving average of parameters.
 * </ul>
 *
 * Timesteps are integers in [0, T), one per batch item; schedule values are read in double
 * precision and each tensor element is rounded to float once.
 */
package io.github.ldm4j.diffusion;
