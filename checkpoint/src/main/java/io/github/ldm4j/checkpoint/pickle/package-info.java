/**
 * PyTorch checkpoints ({@code torch.save} files: {@code .ckpt}, {@code .pt}, {@code .pth}) as a
 * {@link io.github.ldm4j.checkpoint.StateDict}: {@link io.github.ldm4j.checkpoint.pickle.TorchCheckpoint#open}.
 * The pickle inside is read by a restricted unpickler ({@code .internal}) that only builds inert
 * values from an allow-list of globals and never executes code.
 */
package io.github.ldm4j.checkpoint.pickle;
