/**
 * A model library as AUTOMATIC1111 lays one out ({@code models/Stable-diffusion}, {@code VAE},
 * {@code Lora}, {@code embeddings}): {@link io.github.ldm4j.checkpoint.library.ModelLibrary} scans
 * and looks up entries by name without leaving the folders, {@link
 * io.github.ldm4j.checkpoint.library.FileHashes} computes A1111's hashes once per file version.
 */
package io.github.ldm4j.checkpoint.library;
