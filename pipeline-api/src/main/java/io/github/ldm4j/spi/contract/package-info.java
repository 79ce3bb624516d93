/**
 * The tensor contracts of Stable Diffusion network exports, shared by every backend: ports as a
 * runtime declares them ({@link io.github.ldm4j.spi.contract.TensorPort}) resolved into the roles
 * ldm4j feeds ({@link io.github.ldm4j.spi.contract.UNetContract}, {@link
 * io.github.ldm4j.spi.contract.TextEncoderContract}, {@link io.github.ldm4j.spi.contract.VaeContract}),
 * with one message style for every unsupported contract; {@link
 * io.github.ldm4j.spi.contract.NetworkFirstStage}, the VAE both backends build on their networks; and
 * {@link io.github.ldm4j.spi.contract.ContractUNet}, the UNet facts both backends take from the contract.
 */
package io.github.ldm4j.spi.contract;
