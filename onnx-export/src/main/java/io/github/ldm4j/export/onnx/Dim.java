package io.github.ldm4j.export.onnx;

/**
 * One dimension of a declared graph input or output: either a fixed size ({@code dim_value}) or a
 * symbolic name ({@code dim_param}, e.g. {@code "batch"}).
 *
 * @param size the fixed size, or -1 when symbolic
 * @param symbol the symbolic name, or {@code null} when fixed
 */
public record Dim(long size, String symbol) {

  /** Validates that exactly one of size and symbol is given. */
  public Dim {
    if (symbol == null) {
      if (size < 0) {
        throw new IllegalArgumentException("fixed dimension size must be >= 0, got " + size);
      }
    } else {
      if (size != -1) {
        throw new IllegalArgumentException("symbolic dimension '" + symbol + "' must have size -1, got " + size);
      }
      if (symbol.isBlank()) {
        throw new IllegalArgumentException("symbolic dimension name must not be blank");
      }
    }
  }

  /** A fixed dimension. */
  public static Dim of(long size) {
    return new Dim(size, null);
  }

  /** A symbolic dimension named {@code symbol}. */
  public static Dim symbolic(String symbol) {
    return new Dim(-1, symbol);
  }

  /** True when this dimension is symbolic. */
  public boolean isSymbolic() {
    return symbol != null;
  }

  @Override
  public String toString() {
    return isSymbolic() ? symbol : Long.toString(size);
  }
}
