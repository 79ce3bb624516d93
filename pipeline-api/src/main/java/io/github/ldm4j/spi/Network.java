package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One network of a model (text encoder, UNet, VAE decoder or encoder) as a backend opened it: its
 * declared inputs and outputs and a way to run it. Everything model-specific — which tensor is the
 * sample, how timesteps are fed, CLIP skip, VAE moments — is adapted once, for every backend, by
 * {@link io.github.ldm4j.spi.contract}; a backend only runs graphs.
 *
 * <p><b>Ownership:</b> a network owns the native memory of its session (compiled model, infer
 * requests); {@link #close()} releases it and is idempotent. {@link #run} is thread-safe and fails
 * with {@link IllegalStateException} after close.
 */
public interface Network extends AutoCloseable {

  /** Which component of the model this is. */
  ModelComponent component();

  /** The network file it was opened from. */
  Path file();

  /** The component and its file, for messages. */
  default String what() {
    return component().folderName() + " (" + file() + ")";
  }

  /** The declared inputs by name, in the network's order. */
  Map<String, TensorPort> inputs();

  /** The declared outputs by name, in the network's order. */
  Map<String, TensorPort> outputs();

  /**
   * Runs the network.
   *
   * @param feeds one feed per input, by input name
   * @param outputs the outputs to compute, by name
   * @return the outputs as float32 tensors, in the order asked (the caller owns them)
   * @throws IllegalArgumentException for a missing or unknown input or output name
   * @throws IllegalStateException naming the component when the runtime fails, or after close
   */
  List<Tensor> run(Map<String, Feed> feeds, List<String> outputs);

  /** Releases the network's native memory; idempotent. */
  @Override
  void close();
}
