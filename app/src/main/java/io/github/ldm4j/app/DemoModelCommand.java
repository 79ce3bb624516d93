package io.github.ldm4j.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ldm4j demo-model --output DIR}: writes the shapes demo model folder. */
@Command(name = "demo-model", mixinStandardHelpOptions = true,
    description = "Writes the embedded shapes demo model (ONNX, optimum layout) into a folder.")
final class DemoModelCommand implements Callable<Integer> {

  @Option(names = "--output", required = true, description = "Folder to write (must not exist or be empty).")
  Path output;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    if (Files.exists(output)) {
      try (var s = Files.list(output)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--output " + output + " exists and is not empty");
        }
      }
    }
    DemoModel.write(output);
    System.out.println(output.toAbsolutePath());
    return 0;
  }
}
