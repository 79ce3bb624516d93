package io.github.ldm4j.checkpoint.pickle.internal;

import io.github.ldm4j.checkpoint.DType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The only Python globals a checkpoint pickle may name, each with the inert meaning the unpickler
 * gives it ({@link Role}). Anything else is refused when the pickle names it, before any use:
 * nothing is ever imported, resolved or called, these included; the list exists so that a file
 * that asks for more than a state dict needs is rejected rather than half-understood.
 *
 * <p>Why each entry is here: what {@code torch.save} writes for a state dict ({@code
 * collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2} / {@code _rebuild_parameter} /
 * {@code _rebuild_parameter_with_state}, the {@code torch.*Storage} classes that type each storage
 * and {@code torch.Size}); and what the PyTorch Lightning 1.4 training state of the CompVis / RunwayML
 * Stable Diffusion releases adds around it: the {@code ModelCheckpoint} class as the key of its
 * callback state, NumPy scalars for scores ({@code numpy.core.multiarray.scalar}, {@code numpy.dtype},
 * with {@code _codecs.encode} producing their bytes under pickle protocol 2), and, in optimizer and
 * hyper-parameter state, sets, devices, dtypes and NumPy arrays.
 */
public final class AllowList {

  /** What an allowed global means to the unpickler. */
  public enum Role {
    /** {@code collections.OrderedDict}: called, builds a dict. */
    ORDERED_DICT,
    /** {@code torch._utils._rebuild_tensor_v2}: called, builds a {@link TensorRef}. */
    REBUILD_TENSOR,
    /** {@code torch._utils._rebuild_parameter}: called, returns its tensor argument. */
    REBUILD_PARAMETER,
    /** {@code torch._utils._rebuild_parameter_with_state}: as above, the state dropped. */
    REBUILD_PARAMETER_WITH_STATE,
    /** {@code torch.FloatStorage} and the like: only named, in persistent ids; gives the dtype. */
    STORAGE_TYPE,
    /** {@code torch.Size}: called, returns its tuple. */
    TORCH_SIZE,
    /** {@code builtins.set}: called, builds a set. */
    SET,
    /** {@code builtins.frozenset}: called, builds a frozenset. */
    FROZENSET,
    /** {@code _codecs.encode}: called, encodes a str to bytes (latin-1, utf-8, ascii). */
    CODECS_ENCODE,
    /** {@code numpy.core.multiarray.scalar}: called, decodes a NumPy scalar to a number. */
    NUMPY_SCALAR,
    /** A class or factory whose objects are kept as an inert {@link Instance}, never created. */
    INERT,
    /** A class or value that may only be named (a dict key, an argument), never called. */
    REFERENCE
  }

  /** One allowed global. */
  public record Entry(Role role, DType storageDType) {}

  private static final Map<String, Entry> ALLOWED;

  static {
    Map<String, Entry> m = new LinkedHashMap<>();
    m.put("collections.OrderedDict", new Entry(Role.ORDERED_DICT, null));
    m.put("torch._utils._rebuild_tensor_v2", new Entry(Role.REBUILD_TENSOR, null));
    m.put("torch._utils._rebuild_parameter", new Entry(Role.REBUILD_PARAMETER, null));
    m.put("torch._utils._rebuild_parameter_with_state", new Entry(Role.REBUILD_PARAMETER_WITH_STATE, null));
    storage(m, "DoubleStorage", DType.F64);
    storage(m, "FloatStorage", DType.F32);
    storage(m, "HalfStorage", DType.F16);
    storage(m, "BFloat16Storage", DType.BF16);
    storage(m, "LongStorage", DType.I64);
    storage(m, "IntStorage", DType.I32);
    storage(m, "ShortStorage", DType.I16);
    storage(m, "CharStorage", DType.I8);
    storage(m, "ByteStorage", DType.U8);
    storage(m, "BoolStorage", DType.BOOL);
    m.put("torch.Size", new Entry(Role.TORCH_SIZE, null));
    m.put("torch.device", new Entry(Role.INERT, null));
    for (String dtype : new String[] {"float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"}) {
      m.put("torch." + dtype, new Entry(Role.REFERENCE, null));
    }
    m.put("builtins.set", new Entry(Role.SET, null));
    m.put("builtins.frozenset", new Entry(Role.FROZENSET, null));
    m.put("_codecs.encode", new Entry(Role.CODECS_ENCODE, null));
    for (String numpyCore : new String[] {"numpy.core.multiarray", "numpy._core.multiarray"}) {
      m.put(numpyCore + ".scalar", new Entry(Role.NUMPY_SCALAR, null));
      m.put(numpyCore + "._reconstruct", new Entry(Role.INERT, null));
    }
    m.put("numpy.dtype", new Entry(Role.INERT, null));
    m.put("numpy.ndarray", new Entry(Role.REFERENCE, null));
    m.put("pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint", new Entry(Role.INERT, null));
    m.put("pytorch_lightning.callbacks.model_checkpoint", new Entry(Role.REFERENCE, null));
    ALLOWED = Collections.unmodifiableMap(m);
  }

  private AllowList() {}

  private static void storage(Map<String, Entry> m, String name, DType dtype) {
    m.put("torch." + name, new Entry(Role.STORAGE_TYPE, dtype));
  }

  /** The entry of {@code module.name}, if allowed. */
  public static Optional<Entry> lookup(String module, String name) {
    return Optional.ofNullable(ALLOWED.get(module + "." + name));
  }

  /** The entry of an allowed global (every {@link PickleGlobal} the unpickler made is one). */
  static Entry entry(PickleGlobal global) {
    Entry e = ALLOWED.get(global.qualifiedName());
    if (e == null) {
      throw new IllegalStateException("not an allowed global: " + global);
    }
    return e;
  }

  /** Every allowed {@code module.name}, in a stable order. */
  public static Iterable<String> names() {
    return ALLOWED.keySet();
  }
}
