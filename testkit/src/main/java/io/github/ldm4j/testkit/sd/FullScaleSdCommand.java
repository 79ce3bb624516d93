package io.github.ldm4j.testkit.sd;

import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.export.onnx.WrittenModel;
import io.github.ldm4j.export.sd.ParameterCounts;
import io.github.ldm4j.export.sd.SdGraphs;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Command line generator of model family 3: a full-scale SD v1.5-architecture folder with seeded
 * random weights (about 4.3 GB in fp32, 2.1 GB in fp16), with a progress indication.
 *
 * <pre>
 * java -cp ... io.github.ldm4j.testkit.sd.FullScaleSdCommand OUTPUT_DIR
 *     [--precision fp32|fp16|int8|int8-linear] [--flavor optimum|legacy|openvino] [--variant text-to-image|inpainting]
 *     [--seed N] [--storage auto|external|inline] [--force]
 * </pre>
 */
public final class FullScaleSdCommand {

  private FullScaleSdCommand() {
  }

  /** Entry point; exits with status 2 on bad arguments, 1 on failure. */
  public static void main(String[] args) {
    try {
      run(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(usage());
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("failed: " + e);
      System.exit(1);
    }
  }

  /** Parses {@code args}, writes the folder, reports to {@code out}; returns what was written. */
  public static GeneratedFolder run(String[] args, PrintStream out) {
    Path dir = null;
    Precision precision = Precision.FP32;
    ExportFlavor flavor = ExportFlavor.OPTIMUM;
    PipelineVariant variant = PipelineVariant.TEXT_TO_IMAGE;
    WeightStorage storage = WeightStorage.AUTO;
    long seed = 0;
    boolean force = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--precision" -> precision = Precision.fromName(value(args, ++i, a));
        case "--flavor" -> flavor = ExportFlavor.fromName(value(args, ++i, a));
        case "--variant" -> variant = parseVariant(value(args, ++i, a));
        case "--storage" -> storage = parseStorage(value(args, ++i, a));
        case "--seed" -> seed = parseSeed(value(args, ++i, a));
        case "--force" -> force = true;
        default -> {
          if (a.startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + a);
          }
          if (dir != null) {
            throw new IllegalArgumentException("more than one output folder given: " + dir + ", " + a);
          }
          dir = Path.of(a);
        }
      }
    }
    if (dir == null) {
      throw new IllegalArgumentException("no output folder given");
    }
    if (!force && isNonEmptyDirectory(dir)) {
      throw new IllegalArgumentException("output folder " + dir + " is not empty (use --force to overwrite)");
    }
    SdOptions options = SdOptions.fullScale(precision).withFlavor(flavor).withVariant(variant).withSeed(seed)
        .withStorage(storage);
    ParameterCounts counts = SdGraphs.parameterCounts(options.effectiveArchitecture());
    out.printf(Locale.ROOT, "Generating full-scale SD v1 (%s, %s, %s, seed %d) into %s%n", precision, flavor,
        variant, seed, dir.toAbsolutePath());
    out.printf(Locale.ROOT, "parameters: text encoder %.2f M, UNet %.2f M, VAE encoder %.2f M, VAE decoder %.2f M%n",
        counts.textEncoder() / 1e6, counts.unet() / 1e6, counts.vaeEncoder() / 1e6, counts.vaeDecoder() / 1e6);
    GeneratedFolder folder = SdModel.write(dir, options, new PercentProgress(out));
    for (WrittenModel m : folder.models()) {
      out.printf(Locale.ROOT, "  %s (%s)%s%n", dir.relativize(m.modelFile()), gb(m.totalBytes()),
          m.hasExternalData() ? " + external data" : "");
    }
    out.printf(Locale.ROOT, "done: %s in total%n", gb(folder.totalBytes()));
    return folder;
  }

  static String usage() {
    return "usage: FullScaleSdCommand OUTPUT_DIR [--precision fp32|fp16|int8|int8-linear] [--flavor optimum|legacy|openvino]"
        + " [--variant text-to-image|inpainting] [--seed N] [--storage auto|external|inline] [--force]";
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static PipelineVariant parseVariant(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "text-to-image" -> PipelineVariant.TEXT_TO_IMAGE;
      case "inpainting" -> PipelineVariant.INPAINTING;
      default -> throw new IllegalArgumentException("unknown variant '" + s + "', expected text-to-image or inpainting");
    };
  }

  private static WeightStorage parseStorage(String s) {
    for (WeightStorage w : WeightStorage.values()) {
      if (w.name().equalsIgnoreCase(s)) {
        return w;
      }
    }
    throw new IllegalArgumentException("unknown storage '" + s + "', expected auto, external or inline");
  }

  private static long parseSeed(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--seed needs an integer, got '" + s + "'");
    }
  }

  private static boolean isNonEmptyDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true;
    }
  }

  private static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
  }

  /** Prints one line per model file every 5 % of its weights. */
  private static final class PercentProgress implements WriteProgress {
    private final PrintStream out;
    private Path current;
    private int lastStep = -1;

    PercentProgress(PrintStream out) {
      this.out = out;
    }

    @Override
    public void onProgress(Path file, long doneBytes, long totalBytes) {
      if (!file.equals(current)) {
        current = file;
        lastStep = -1;
      }
      int step = totalBytes == 0 ? 20 : (int) (20 * doneBytes / totalBytes);
      if (step != lastStep) {
        lastStep = step;
        out.printf(Locale.ROOT, "  %s/%s: %3d%% (%s of %s)%n", file.getParent().getFileName(), file.getFileName(),
            step * 5, gb(doneBytes), gb(totalBytes));
      }
    }
  }
}
