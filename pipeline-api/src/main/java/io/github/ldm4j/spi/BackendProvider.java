package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import java.io.IOException;
import java.util.Set;

/**
 * Service-provider interface for hardware backends (ONNX Runtime, OpenVINO), found with {@link
 * java.util.ServiceLoader} and chosen by {@link #name()} — like DJL's engine providers. A backend
 * provides <em>networks</em>: it opens the network files of some components of a model folder on
 * its devices. Everything else about opening a model (training setup, tokenizer, cond stage,
 * conditioning-key routing, ownership) is done once, for every backend, by the assembler of the
 * {@code ldm4j-generate} module — so the networks of one model may come from different backends.
 *
 * <p>A provider does no work and loads no native code in its constructor or static initialisers.
 */
public interface BackendProvider {

  /** The backend's name ({@code onnx}, {@code openvino}). */
  String name();

  /**
   * Whether the backend can run here (its runtime is on the class path / installed). Must not load
   * native libraries or have other side effects.
   */
  boolean isAvailable();

  /** Why the backend is not available, with what to install; empty when it is. */
  default String unavailableReason() {
    return "";
  }

  /** The network file formats this backend reads, preferred first where a component has several. */
  Set<ModelFolder.Format> formats();

  /**
   * Opens the requested networks. The caller owns the result and must close it; on failure nothing
   * stays open.
   *
   * @throws IOException when a network file is missing or unreadable (the message names the file)
   * @throws IllegalArgumentException for an unsupported device or option
   */
  NetworkSet open(NetworkRequest request) throws IOException;

  /**
   * Whether {@link #open} replaces weights as {@link NetworkRequest#overrides()} asks (a LoRA set
   * applied without a new conversion, a token-embedding table extended with textual-inversion
   * vectors). A provider that does not refuses a request with overrides.
   */
  default boolean overridesWeights() {
    return false;
  }

  /**
   * Describes one network of {@code folder} (its declared inputs and outputs) without running it.
   *
   * @throws IOException when the network file is missing or unreadable (the message names the file)
   */
  NetworkDescription describe(ModelFolder folder, ModelComponent component, BackendOptions options) throws IOException;
}
