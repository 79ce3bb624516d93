/**
 * The model components of latent diffusion and how conditioning reaches them: {@link
 * io.github.ldm4j.model.FirstStage} (autoencoder), {@link io.github.ldm4j.model.CondStage} and
 * {@link io.github.ldm4j.model.TextEncoder} (text conditioning), {@link io.github.ldm4j.model.UNet}
 * and {@link io.github.ldm4j.model.Denoiser} (the denoising network behind CompVis {@code
 * DiffusionWrapper}), {@link io.github.ldm4j.model.Conditioning} with its {@link
 * io.github.ldm4j.model.ConditioningKey}, and {@link io.github.ldm4j.model.Parameterization}.
 */
package io.github.ldm4j.model;
