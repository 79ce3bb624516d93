package io.github.ldm4j.app;

import io.github.ldm4j.checkpoint.sd.CheckpointFolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ldm4j convert CHECKPOINT --output DIR}: a single-file checkpoint as an ONNX model folder. */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Writes a Stable Diffusion 1.x or 2.x checkpoint (.safetensors, .ckpt, .pt; CompVis layout) as a "
        + "diffusers/optimum ONNX model folder that --model DIR and other ONNX tools open.")
final class ConvertCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The checkpoint file, or the NAME of one in the library (--models-dir).")
  Path checkpoint;

  @Option(names = "--output", required = true, description = "Folder to write (must not exist or be empty).")
  Path output;

  @Mixin CheckpointOptions checkpointOptions;

  @Option(names = "--image-size", defaultValue = "512", description = "sample_size written into the configs (default 512).")
  int imageSize;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Override
  public Integer call() throws Exception {
    Path checkpoint = checkpointOptions.resolveModel(this.checkpoint);
    if (!Files.isRegularFile(checkpoint)) {
      throw new IllegalArgumentException(checkpoint + " is not a checkpoint file");
    }
    if (Files.exists(output)) {
      try (var s = Files.list(output)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--output " + output + " exists and is not empty");
        }
      }
    }
    Path written = CheckpointFolders.convert(checkpointOptions.request(checkpoint, imageSize), output);
    System.out.println(written.toAbsolutePath());
    return 0;
  }
}
