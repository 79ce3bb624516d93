package io.github.ldm4j.checkpoint.pickle.internal;

import io.github.ldm4j.checkpoint.TensorEntry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state dict inside an unpickled checkpoint: the tensors of its {@code state_dict} dict when the
 * top-level dict has one (a PyTorch Lightning checkpoint), else the tensors of the top-level dict;
 * keys as in the file ({@code model.}/{@code module.} prefixes kept). Values that are not tensors
 * are skipped there; when that dict holds no tensor itself (an A1111 textual-inversion embedding:
 * {@code string_to_param: {'*': tensor}}), the tensors of its nested dicts are its entries, named
 * {@code outer.inner} (up to three levels); the top-level dict's scalars (str, int, float, bool, such as Lightning's {@code
 * epoch}, {@code global_step}, {@code pytorch-lightning_version}) become the metadata, written as
 * Python's {@code str()} would.
 */
public final class StateDicts {

  /**
   * The tensors and metadata found.
   *
   * @param entries every tensor, by name, in the file's order
   * @param locations where each tensor's bytes lie in the file
   * @param metadata the top-level scalars as strings
   */
  public record Extracted(Map<String, TensorEntry> entries, Map<String, TorchFiles.Slice> locations, Map<String, String> metadata) {}

  private StateDicts() {}

  /**
   * Finds the state dict of {@code loaded} and checks every tensor of it against its storage.
   *
   * @throws BadFormatException when the object is not a dict, or a tensor is non-contiguous or lies
   *     outside its storage (the message names the tensor)
   */
  public static Extracted extract(TorchFiles.Loaded loaded) throws BadFormatException {
    if (!(loaded.top() instanceof PickleDict top)) {
      throw new BadFormatException("the checkpoint holds a " + Values.typeName(loaded.top())
          + ", expected a dict of tensors (a state dict) or a dict with a 'state_dict'");
    }
    PickleDict stateDict = top.get("state_dict") instanceof PickleDict sd ? sd : top;
    Map<String, String> metadata = new LinkedHashMap<>();
    for (var e : top.entrySet()) {
      String value = pythonStr(e.getValue());
      if (e.getKey() instanceof String key && value != null) {
        metadata.put(key, value);
      }
    }
    Map<String, TensorEntry> entries = new LinkedHashMap<>();
    Map<String, TorchFiles.Slice> locations = new LinkedHashMap<>();
    boolean flat = stateDict.values().stream().anyMatch(v -> v instanceof TensorRef);
    collect(stateDict, "", flat ? 0 : NESTED_DEPTH, loaded, entries, locations);
    return new Extracted(Collections.unmodifiableMap(entries), Collections.unmodifiableMap(locations),
        Collections.unmodifiableMap(metadata));
  }

  /** How deep dicts are searched when the state dict holds no tensor itself (A1111 embeddings: {@code string_to_param}). */
  private static final int NESTED_DEPTH = 3;

  /**
   * The tensors of {@code dict}, and when {@code depth > 0} those of its nested dicts, keys joined
   * with {@code .} as torch names nested parameters.
   */
  private static void collect(PickleDict dict, String prefix, int depth, TorchFiles.Loaded loaded,
      Map<String, TensorEntry> entries, Map<String, TorchFiles.Slice> locations) throws BadFormatException {
    for (var e : dict.entrySet()) {
      if (e.getValue() instanceof PickleDict nested && depth > 0 && e.getKey() instanceof String key) {
        collect(nested, prefix + key + ".", depth - 1, loaded, entries, locations);
        continue;
      }
      if (!(e.getValue() instanceof TensorRef tensor)) {
        continue;
      }
      if (!(e.getKey() instanceof String key)) {
        throw new BadFormatException("a tensor of the state dict has a " + Values.typeName(e.getKey()) + " key, expected a str");
      }
      String name = prefix + key;
      if (entries.containsKey(name)) {
        throw new BadFormatException("two tensors are named '" + name + "'");
      }
      locations.put(name, locate(name, tensor, loaded.data().get(tensor.storage().key())));
      entries.put(name, new TensorEntry(name, tensor.storage().dtype(), tensor.shape()));
    }
  }

  private static TorchFiles.Slice locate(String name, TensorRef t, TorchFiles.Slice storage) throws BadFormatException {
    StorageRef s = t.storage();
    if (storage == null) {
      throw new BadFormatException("tensor '" + name + "': storage '" + s.key() + "' not found");
    }
    if (!t.isContiguous()) {
      throw new BadFormatException("tensor '" + name + "' is not contiguous (shape " + Arrays.toString(t.shape()) + ", stride "
          + Arrays.toString(t.stride()) + "); only contiguous row-major tensors are supported: save tensor.contiguous()");
    }
    long elements = 1;
    for (long d : t.shape()) {
      elements = Math.multiplyExact(elements, d);
    }
    if (elements == 0) {
      return new TorchFiles.Slice(storage.offset(), 0);
    }
    if (t.offset() > s.numel() || elements > s.numel() - t.offset()) {
      throw new BadFormatException("tensor '" + name + "' (" + elements + " elements from element " + t.offset()
          + ") runs past its storage '" + s.key() + "' of " + s.numel() + " elements");
    }
    int size = s.dtype().bytes();
    return new TorchFiles.Slice(storage.offset() + t.offset() * size, elements * size);
  }

  /** What Python's {@code str()} gives for a str, int, float or bool; {@code null} for anything else. */
  public static String pythonStr(Object v) {
    return switch (v) {
      case String s -> s;
      case Boolean b -> b ? "True" : "False";
      case Long l -> l.toString();
      case BigInteger b -> b.toString();
      case Double d -> pythonFloat(d);
      case null, default -> null;
    };
  }

  /** Python's {@code repr(float)}: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
  static String pythonFloat(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0.0" : "0.0";
    }
    BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = bd.unscaledValue().toString();
    int exponent = digits.length() - 1 - bd.scale();
    String sign = d < 0 ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
      String plain = bd.toPlainString();
      return sign + (plain.contains(".") ? plain : plain + ".0");
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
  }
}
