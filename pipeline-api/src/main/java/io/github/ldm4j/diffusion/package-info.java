/**
 * The diffusion mathematics of CompVis {@code DDPM}: forward noising ({@code q_sample}), the
 * posterior ({@code q_posterior}), the ancestral reverse step and loop ({@code p_mean_variance},
 * {@code p_sample}, {@code p_sample_loop}), the training objective ({@code p_losses}), the latent
 * {@code scale_factor} policy and the EMA of parameters.
 */
package io.github.ldm4j.diffusion;
