/**
 * The safetensors format: {@link io.github.ldm4j.checkpoint.safetensors.SafetensorsFile} reads
 * (memory-mapped, validated) and {@link io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter}
 * writes. {@code internal} holds the header parser, not an API.
 */
package io.github.ldm4j.checkpoint.safetensors;
