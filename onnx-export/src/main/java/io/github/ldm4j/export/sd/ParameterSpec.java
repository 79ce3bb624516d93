package io.github.ldm4j.export.sd;

import java.util.Arrays;
import java.util.Objects;

/**
 * One parameter a graph builder needs: its module name (diffusers / transformers naming, e.g.
 * {@code down_blocks.0.resnets.0.conv1.weight}), its shape in the graph's layout (linear weights
 * {@code [in, out]}, group-norm scales {@code [C, 1, 1]}) and the initial distribution a fresh
 * network of PyTorch would draw it from (uniform in {@code center ± bound}: ±1/√fan_in for
 * convolutions and linear layers, 1 ± 0.1 / 0 ± 0.1 for norms — the builders perturb norms so a
 * backend that ignored them is caught). A source of trained weights ignores the distribution, and
 * reads its tensor in the graph's element order: PyTorch's own order, except linear weights, which
 * the graphs hold transposed ({@code transposed}).
 *
 * @param name the module name
 * @param dims the shape in the graph
 * @param transposed whether the graph holds PyTorch's {@code [out, in]} linear weight as {@code [in, out]}
 * @param center the centre of the initial uniform distribution
 * @param bound its half-width
 */
public record ParameterSpec(String name, long[] dims, boolean transposed, double center, double bound) {

  /** Validates and copies. */
  public ParameterSpec {
    Objects.requireNonNull(name, "name");
    dims = dims.clone();
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParameterSpec p && name.equals(p.name) && Arrays.equals(dims, p.dims)
        && transposed == p.transposed && Double.compare(center, p.center) == 0 && Double.compare(bound, p.bound) == 0;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(dims) + (transposed ? " (transposed)" : "");
  }
}
