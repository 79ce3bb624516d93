package io.github.ldm4j.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@link ServiceLoader} lookup of named providers (backends, samplers). Names compare
 * case-insensitively; an unknown name fails with a message listing what was found; two providers
 * with one name are an error.
 */
public final class NamedServices {

  private NamedServices() {}

  /** Every provider of {@code type} visible to this class's loader and the context loader, by lower-case name. */
  public static <P> TreeMap<String, P> all(Class<P> type, Function<P, String> nameOf) {
    TreeMap<String, P> byName = new TreeMap<>();
    List<ClassLoader> loaders = new ArrayList<>();
    loaders.add(type.getClassLoader());
    ClassLoader ctx = Thread.currentThread().getContextClassLoader();
    if (ctx != null && ctx != type.getClassLoader()) {
      loaders.add(ctx);
    }
    for (ClassLoader loader : loaders) {
      for (P p : ServiceLoader.load(type, loader)) {
        String name = Objects.requireNonNull(nameOf.apply(p), "provider name").toLowerCase(Locale.ROOT);
        P prev = byName.putIfAbsent(name, p);
        if (prev != null && prev.getClass() != p.getClass()) {
          throw new IllegalStateException(
              "two " + type.getSimpleName() + "s are registered as '" + name + "': "
                  + prev.getClass().getName() + " and " + p.getClass().getName());
        }
      }
    }
    return byName;
  }

  /** The sorted names of every provider of {@code type}. */
  public static <P> List<String> names(Class<P> type, Function<P, String> nameOf) {
    return List.copyOf(all(type, nameOf).keySet());
  }

  /**
   * The provider registered as {@code name}.
   *
   * @param what what a provider is, for the message ("backend", "sampler")
   * @throws IllegalArgumentException naming the available providers when none matches
   */
  public static <P> P find(Class<P> type, Function<P, String> nameOf, String what, String name) {
    TreeMap<String, P> byName = all(type, nameOf);
    P p = name == null ? null : byName.get(name.trim().toLowerCase(Locale.ROOT));
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown " + what + " '" + name + "'; available: "
              + (byName.isEmpty() ? "none (no " + type.getName() + " is registered on the class path)" : String.join(", ", byName.keySet())));
    }
    return p;
  }
}
