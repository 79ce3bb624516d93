package io.github.ldm4j.checkpoint.pickle.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The persistent ids of a {@code torch.save} object pickle: {@code ('storage', <storage class>, key,
 * location, numel)} in the zip format, with a sixth item (a view, always {@code None} since torch
 * 0.4) in the legacy format. Each becomes a {@link StorageRef}; every storage seen is remembered, by
 * key, so that the reader can find its bytes.
 */
public final class TorchStorages implements PersistentLoader {

  private final boolean legacy;
  private final Map<String, StorageRef> byKey = new LinkedHashMap<>();

  /** @param legacy whether the persistent ids are the legacy format's (six items) */
  public TorchStorages(boolean legacy) {
    this.legacy = legacy;
  }

  /** Every storage the pickle named, by key, in order of first use. */
  public Map<String, StorageRef> storages() {
    return Collections.unmodifiableMap(byKey);
  }

  @Override
  public Object load(Object pid) throws BadFormatException {
    if (!(pid instanceof Tuple t) || t.size() == 0) {
      throw new BadFormatException("persistent id is a " + Values.typeName(pid) + ", expected a tuple ('storage', …)");
    }
    if ("module".equals(t.get(0))) {
      throw new BadFormatException("persistent id 'module': the file holds a whole pickled nn.Module (with its source), "
          + "not a state dict; save model.state_dict() instead");
    }
    if (!"storage".equals(t.get(0))) {
      throw new BadFormatException("unknown persistent id type (" + Values.typeName(t.get(0)) + ")");
    }
    int arity = legacy ? 6 : 5;
    if (t.size() != arity) {
      throw new BadFormatException("storage persistent id of " + t.size() + " items, expected " + arity);
    }
    if (!(t.get(1) instanceof PickleGlobal type) || AllowList.entry(type).role() != AllowList.Role.STORAGE_TYPE) {
      throw new BadFormatException("storage persistent id names a " + Values.typeName(t.get(1)) + ", expected a torch storage class");
    }
    if (!(t.get(2) instanceof String key) || !(t.get(3) instanceof String location)
        || !(t.get(4) instanceof Long numel) || numel < 0) {
      throw new BadFormatException("storage persistent id is not (str key, str location, int numel)");
    }
    if (legacy && t.get(5) != null) {
      throw new BadFormatException("storage '" + key + "' is a view of another storage (pre-0.4 torch); re-save the checkpoint");
    }
    StorageRef ref = new StorageRef(key, AllowList.entry(type).storageDType(), location, numel);
    try {
      ref.byteSize();
    } catch (ArithmeticException e) {
      throw new BadFormatException("storage '" + key + "' of " + numel + " elements overflows 64 bits");
    }
    StorageRef known = byKey.putIfAbsent(key, ref);
    if (known != null && (known.dtype() != ref.dtype() || known.numel() != ref.numel())) {
      throw new BadFormatException("storage '" + key + "' named twice with different types or sizes ("
          + known.dtype() + "[" + known.numel() + "], " + ref.dtype() + "[" + ref.numel() + "])");
    }
    return known != null ? known : ref;
  }
}
