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
          "unknown " + what + " '" + name + "'" + didYouMean(name, byName.keySet()) + "; available: "
              + (byName.isEmpty() ? "none (no " + type.getName() + " is registered on the class path)" : String.join(", ", byName.keySet())));
    }
    return p;
  }

  /**
   * "; did you mean 'x'?" for the known name closest to {@code name} (edit distance, ignoring case,
   * spaces, '-' and '_'), when one is close enough to be a likely typo (at most a third of its
   * length, at least 1, edits); else empty.
   */
  public static String didYouMean(String name, java.util.Collection<String> known) {
    if (name == null || name.isBlank()) {
      return "";
    }
    String n = normalize(name);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(n, normalize(k));
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(1, n.length() / 3) ? "; did you mean '" + best + "'?" : "";
  }

  private static String normalize(String s) {
    return s.trim().toLowerCase(Locale.ROOT).replaceAll("[\\s_-]+", "");
  }

  /** Levenshtein distance with adjacent transpositions (optimal string alignment). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
