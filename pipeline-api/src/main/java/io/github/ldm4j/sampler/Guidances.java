package io.github.ldm4j.sampler;

import io.github.ldm4j.spi.NamedServices;
import java.util.List;

/** Finds {@link GuidanceProvider}s by name. */
public final class Guidances {

  /** The name of classifier-free guidance. */
  public static final String CLASSIFIER_FREE = "cfg";

  private Guidances() {}

  /** Names of every registered guidance, sorted. */
  public static List<String> names() {
    return NamedServices.names(GuidanceProvider.class, GuidanceProvider::name);
  }

  /**
   * The guidance registered as {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the registered ones
   */
  public static GuidanceProvider find(String name) {
    return NamedServices.find(GuidanceProvider.class, GuidanceProvider::name, "guidance", name);
  }
}
