package io.github.ldm4j.spi;

import java.nio.file.Files;
import java.nio.file.Path;

/** The built-in model source: a diffusers / optimum model folder is its own model folder. */
public final class FolderModelSource implements ModelSourceProvider {

  /** Found by {@link java.util.ServiceLoader}. */
  public FolderModelSource() {}

  @Override
  public String name() {
    return "folder";
  }

  @Override
  public String reads() {
    return "a diffusers / optimum model folder";
  }

  @Override
  public boolean accepts(Path model) {
    return Files.isDirectory(model);
  }

  @Override
  public Path modelFolder(Path model) {
    return model;
  }
}
