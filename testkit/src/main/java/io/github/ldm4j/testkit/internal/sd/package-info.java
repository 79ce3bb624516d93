/** Graph builders of the SD v1 networks (text encoder, UNet, VAE) and their layers. Not API. */
package io.github.ldm4j.testkit.internal.sd;
