/**
 * LoRA files merged into a checkpoint's weights — as it is converted, or for the touched weights only,
 * applied at load time ({@link io.github.ldm4j.checkpoint.sd.LoraOverrides}, {@link
 * io.github.ldm4j.checkpoint.sd.CheckpointGenerators}): {@link
 * io.github.ldm4j.checkpoint.lora.LoraFile} reads kohya / AUTOMATIC1111 (LoRA, LoCon) and diffusers /
 * PEFT files and refuses the kinds ldm4j does not merge (LyCORIS LoHa, LoKr, …) by name; {@link
 * io.github.ldm4j.checkpoint.lora.LoraMapping} maps every module onto the SD 1.x / 2.x layer (graph
 * parameter and CompVis key) it modifies; {@link io.github.ldm4j.checkpoint.lora.LoraWeights} adds
 * {@code m · (alpha / r) · up · down} to those parameters in the graphs' layout; {@link
 * io.github.ldm4j.checkpoint.lora.LoraSet} / {@link io.github.ldm4j.checkpoint.lora.AppliedLora} are
 * the files with their text-encoder and UNet multipliers that a conversion or a load applies.
 */
package io.github.ldm4j.checkpoint.lora;
