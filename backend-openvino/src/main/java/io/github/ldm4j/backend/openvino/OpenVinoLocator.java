package io.github.ldm4j.backend.openvino;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Finds OpenVINO's C library ({@code libopenvino_c.so}) without loading it: the {@value #PROPERTY}
 * system property, then the {@value #ENV} environment variable (each a path to the library file or
 * to its folder), then the standard install locations — {@code
 * /opt/intel/openvino*}{@code /runtime/lib/intel64} (newest first; Intel's archive), {@code
 * /usr/lib/x86_64-linux-gnu} (Intel's apt repository), {@code /usr/lib64}, {@code /usr/local/lib} —
 * and the folders of {@code LD_LIBRARY_PATH}. A folder matches when it holds {@code
 * libopenvino_c.so} or a versioned {@code libopenvino_c.so.*}. Only file-system checks: no side
 * effects.
 */
public final class OpenVinoLocator {

  /** System property naming the library file (or its folder). */
  public static final String PROPERTY = "ldm4j.openvino.library";

  /** Environment variable naming the library file (or its folder). */
  public static final String ENV = "LDM4J_OPENVINO_LIBRARY";

  /** How to install OpenVINO, for messages. */
  public static final String HOW_TO_INSTALL =
      "Install the OpenVINO runtime 2024 or newer: (1) Intel's apt repository "
          + "(https://docs.openvino.ai, 'Install OpenVINO Runtime on Linux from an APT repository'; package "
          + "openvino-2024.x or newer, library in /usr/lib/x86_64-linux-gnu), or (2) Intel's archive unpacked to "
          + "/opt/intel/openvino_2024 (library in runtime/lib/intel64), or (3) 'pip install openvino' and point "
          + "-D" + PROPERTY + " (or " + ENV + ") at the libopenvino_c.so* inside the wheel's openvino/libs folder.";

  private final UnaryOperator<String> properties;
  private final UnaryOperator<String> environment;
  private final List<Path> optIntelRoots;
  private final List<Path> systemDirectories;
  private final String fileName;

  /**
   * A locator over the given sources (tests inject their own).
   *
   * @param properties system properties by key (null = unset)
   * @param environment environment variables by name (null = unset)
   * @param optIntelRoots folders whose {@code openvino*} children are Intel archive installs
   * @param systemDirectories system library folders, in order
   */
  public OpenVinoLocator(UnaryOperator<String> properties, UnaryOperator<String> environment,
      List<Path> optIntelRoots, List<Path> systemDirectories) {
    this.properties = Objects.requireNonNull(properties, "properties");
    this.environment = Objects.requireNonNull(environment, "environment");
    this.optIntelRoots = List.copyOf(optIntelRoots);
    this.systemDirectories = List.copyOf(systemDirectories);
    this.fileName = System.mapLibraryName("openvino_c");
  }

  /** The locator of this process: real system properties, environment and standard folders. */
  public static OpenVinoLocator system() {
    return new OpenVinoLocator(System::getProperty, System::getenv, List.of(Path.of("/opt/intel")),
        List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib64"), Path.of("/usr/local/lib")));
  }

  /**
   * Where the search ended.
   *
   * @param library the library found, if any
   * @param tried every place looked at, in order, with why it did not match
   */
  public record Location(Optional<Path> library, List<String> tried) {
    /** Copies. */
    public Location {
      Objects.requireNonNull(library, "library");
      tried = List.copyOf(tried);
    }

    /** A message for when nothing was found: the places tried and how to install OpenVINO. */
    public String notFoundMessage() {
      return "OpenVINO's C library (" + System.mapLibraryName("openvino_c") + ") was not found; tried: "
          + String.join("; ", tried) + ". " + HOW_TO_INSTALL;
    }
  }

  /** Searches, in the documented order. An explicit property or variable that does not resolve ends the search. */
  public Location locate() {
    List<String> tried = new ArrayList<>();
    for (String[] explicit : new String[][] {{"-D" + PROPERTY, properties.apply(PROPERTY)}, {ENV, environment.apply(ENV)}}) {
      String value = explicit[1];
      if (value == null || value.isBlank()) {
        tried.add(explicit[0] + " (not set)");
        continue;
      }
      Path p = Path.of(value.strip());
      Optional<Path> found = Files.isDirectory(p) ? inDirectory(p) : Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
      if (found.isPresent()) {
        return new Location(found.map(Path::toAbsolutePath), tried);
      }
      tried.add(explicit[0] + "=" + value + (Files.exists(p) ? " (a folder without " + fileName + ")" : " (does not exist)"));
      return new Location(Optional.empty(), tried);
    }
    List<Path> dirs = new ArrayList<>();
    for (Path root : optIntelRoots) {
      dirs.addAll(intelArchives(root));
    }
    dirs.addAll(systemDirectories);
    String ld = environment.apply("LD_LIBRARY_PATH");
    if (ld != null) {
      for (String s : ld.split(File.pathSeparator)) {
        if (!s.isBlank()) {
          dirs.add(Path.of(s.strip()));
        }
      }
    } else {
      tried.add("LD_LIBRARY_PATH (not set)");
    }
    for (Path d : dirs) {
      Optional<Path> found = inDirectory(d);
      if (found.isPresent()) {
        return new Location(found, tried);
      }
      tried.add(d + (Files.isDirectory(d) ? "" : " (no such folder)"));
    }
    return new Location(Optional.empty(), tried);
  }

  private List<Path> intelArchives(Path root) {
    List<Path> installs = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(root, "openvino*")) {
        s.forEach(installs::add);
      } catch (IOException e) {
        // unreadable: nothing to find there
      }
    }
    installs.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
    List<Path> out = new ArrayList<>();
    for (Path p : installs) {
      out.add(p.resolve("runtime/lib/intel64"));
    }
    if (out.isEmpty()) {
      out.add(root.resolve("openvino*/runtime/lib/intel64"));
    }
    return out;
  }

  /** {@code libopenvino_c.so} in {@code dir}, else the highest versioned {@code libopenvino_c.so.*}. */
  private Optional<Path> inDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    Path plain = dir.resolve(fileName);
    if (Files.isRegularFile(plain)) {
      return Optional.of(plain);
    }
    List<Path> versioned = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, fileName + ".*")) {
      s.forEach(p -> {
        if (Files.isRegularFile(p)) {
          versioned.add(p);
        }
      });
    } catch (IOException e) {
      return Optional.empty();
    }
    return versioned.stream().max(Comparator.comparing(p -> p.getFileName().toString()));
  }
}
