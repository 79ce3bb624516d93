/**
 * The tensor contracts of Stable Diffusion network exports, and the one adaptation of a backend's
 * {@link io.github.ldm4j.spi.Network} to the model interfaces: ports as a runtime declares them
 * ({@link io.github.ldm4j.spi.contract.TensorPort}) resolved into the roles ldm4j feeds ({@link
 * io.github.ldm4j.spi.contract.UNetContract}, {@link io.github.ldm4j.spi.contract.TextEncoderContract},
 * {@link io.github.ldm4j.spi.contract.VaeContract}), with one message style for every unsupported
 * contract; and {@link io.github.ldm4j.spi.contract.NetworkUNet}, {@link
 * io.github.ldm4j.spi.contract.NetworkTextEncoder}, {@link io.github.ldm4j.spi.contract.NetworkFirstStage}
 * over any backend's networks.
 */
package io.github.ldm4j.spi.contract;
