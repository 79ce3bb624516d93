/**
 * Graph builders of the SD v1 networks (text encoder, UNet, VAE) and their layers, and their full
 * {@code config.json} files ({@link io.github.ldm4j.testkit.internal.sd.SdConfigs}). Not API.
 */
package io.github.ldm4j.testkit.internal.sd;
