package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.contract.TensorPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One network of a model folder as its backend declares it: the tensors it takes and gives, in the
 * network's order (for {@code ldm4j inspect} and diagnostics).
 *
 * @param component the component
 * @param file the network file
 * @param inputs the declared inputs
 * @param outputs the declared outputs
 */
public record NetworkDescription(ModelComponent component, Path file, List<TensorPort> inputs, List<TensorPort> outputs) {

  /** Validates and copies. */
  public NetworkDescription {
    Objects.requireNonNull(component, "component");
    Objects.requireNonNull(file, "file");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }
}
