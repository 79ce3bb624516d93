package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.export.sd.ParameterSpec;
import io.github.ldm4j.export.sd.SdArchitecture;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Command line generator of a full-size SD 1.5 checkpoint in the CompVis layout with seeded random
 * weights (1.07 G parameters: 2.13 GB in F16, 4.3 GB in F32), for the load-time / peak-RSS
 * benchmark of {@code ./ldm4j --model FILE} against the ONNX folder it converts to. Every parameter
 * the SD 1.x graphs read is written under its CompVis key ({@link CompVisNames}) in PyTorch's layout
 * (linear weights {@code [out, in]}, the VAE attention's 1×1 convolutions), uniform in each
 * parameter's initialisation range, plus the {@code position_ids} buffer real files carry.
 *
 * <pre>
 * java -cp ... io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand OUTPUT.safetensors [--dtype f16|f32] [--seed N]
 * </pre>
 *
 * <p>The tensors are built off-heap in one arena (the checkpoint's size) and written in one pass.
 * {@link #write} takes any SD 1.x architecture: the app's {@code ServeCheckpointIT} writes a small
 * one with CLIP's full vocabulary through this module's test-jar ({@code ldm4j-checkpoint:tests}).
 */
public final class FullSizeCheckpointCommand {

  /**
   * Small SD 1.x sizes with CLIP's full vocabulary (so that the real tokenizer's ids fit): a checkpoint
   * a test can serve or open by prompt in seconds.
   */
  public static final SdArchitecture SMALL_SD1 = new SdArchitecture(
      new io.github.ldm4j.export.sd.TextEncoderArchitecture(49408, 77, 64, 2, 1, 256, 49407),
      new io.github.ldm4j.export.sd.UNetArchitecture(4, 4, java.util.List.of(32, 64), java.util.List.of(true, false), 1, 8, 64, 32),
      new io.github.ldm4j.export.sd.VaeArchitecture(java.util.List.of(32, 32, 64, 64), 1, 4, 32));

  private FullSizeCheckpointCommand() {
  }

  /** Entry point; exits with status 2 on bad arguments, 1 on failure. */
  public static void main(String[] args) {
    try {
      run(args, System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println("usage: FullSizeCheckpointCommand OUTPUT.safetensors [--dtype f16|f32] [--seed N]");
      System.exit(2);
    } catch (IOException | RuntimeException e) {
      System.err.println("failed: " + e);
      System.exit(1);
    }
  }

  /** Parses {@code args} and writes the checkpoint; returns its path. */
  public static Path run(String[] args, PrintStream out) throws IOException {
    Path file = null;
    DType dtype = DType.F16;
    long seed = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dtype" -> dtype = switch (value(args, ++i).toLowerCase(Locale.ROOT)) {
          case "f16" -> DType.F16;
          case "f32" -> DType.F32;
          default -> throw new IllegalArgumentException("--dtype must be f16 or f32, got " + args[i]);
        };
        case "--seed" -> seed = Long.parseLong(value(args, ++i));
        default -> {
          if (args[i].startsWith("--") || file != null) {
            throw new IllegalArgumentException("unexpected argument " + args[i]);
          }
          file = Path.of(args[i]);
        }
      }
    }
    if (file == null) {
      throw new IllegalArgumentException("no output file given");
    }
    write(SdArchitecture.stableDiffusionV1(), file, dtype, seed, out);
    return file;
  }

  /** Writes every graph parameter of {@code a} under its CompVis key into {@code file}. */
  public static void write(SdArchitecture a, Path file, DType dtype, long seed, PrintStream out) throws IOException {
    Map<String, String> modules = new HashMap<>();
    modules.putAll(CompVisNames.unet(a.unet()));
    modules.putAll(CompVisNames.vae(a.vae()));
    modules.putAll(CompVisNames.text(a.text()));
    long parameters = 0;
    try (Arena arena = Arena.ofShared()) {
      SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
      for (ParameterSpec p : SdCheckpoint.parameters(a)) {
        int dot = p.name().lastIndexOf('.');
        String module = modules.get(p.name().substring(0, dot));
        if (module == null) {
          throw new IllegalStateException("no CompVis key for " + p.name());
        }
        String key = module + p.name().substring(dot);
        long[] shape = pytorchShape(p, key);
        long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        MemorySegment data = arena.allocate(n * dtype.bytes(), 8);
        SplittableRandom random = new SplittableRandom(seed ^ key.hashCode());
        for (long i = 0; i < n; i++) {
          float v = (float) (p.center() + p.bound() * (2 * random.nextDouble() - 1));
          if (dtype == DType.F16) {
            data.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(v));
          } else {
            data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
          }
        }
        w.add(key, dtype, shape, data);
        parameters += n;
      }
      MemorySegment ids = arena.allocate(8L * a.text().maxPositions(), 8);
      for (int i = 0; i < a.text().maxPositions(); i++) {
        ids.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, i);
      }
      w.add(CompVisNames.TEXT + "text_model.embeddings.position_ids", DType.I64, new long[] {1, a.text().maxPositions()},
          ids);
      Files.createDirectories(file.toAbsolutePath().getParent());
      w.write(file);
    }
    out.printf(Locale.ROOT, "wrote %s: %.3f G parameters, %s, %.2f GB%n", file, parameters / 1e9, dtype,
        Files.size(file) / 1e9);
  }

  /** PyTorch's layout of a graph parameter: linear weights {@code [out, in]}, GroupNorm/bias vectors flat. */
  static long[] pytorchShape(ParameterSpec p, String key) {
    long[] g = p.dims();
    if (p.transposed()) {
      return key.contains(".mid.attn_1.") ? new long[] {g[1], g[0], 1, 1} : new long[] {g[1], g[0]};
    }
    if (g.length == 3 && g[1] == 1 && g[2] == 1) {
      return new long[] {g[0]};
    }
    return g;
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }
}
