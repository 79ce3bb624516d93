package io.github.ldm4j.checkpoint.pickle.internal;

import java.util.Objects;

/**
 * A reference to a Python global ({@code module.name}) as a pickle names it with {@code GLOBAL},
 * {@code STACK_GLOBAL} or {@code INST}: a name, never resolved, imported or called. Only names on
 * the {@link AllowList} are ever created.
 *
 * @param module the module, e.g. {@code torch._utils}
 * @param name the name in the module, e.g. {@code _rebuild_tensor_v2}
 */
public record PickleGlobal(String module, String name) {

  /** Checks for nulls. */
  public PickleGlobal {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(name, "name");
  }

  /** {@code module.name}. */
  public String qualifiedName() {
    return module + "." + name;
  }

  @Override
  public String toString() {
    return qualifiedName();
  }
}
