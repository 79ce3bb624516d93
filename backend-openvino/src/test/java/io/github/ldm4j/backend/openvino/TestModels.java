package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * testkit model folders written once per test JVM (generation is deterministic) into a temporary
 * folder removed at exit, plus the emulated-IR variant of a folder.
 */
final class TestModels {

  private static final Map<String, Path> CACHE = new ConcurrentHashMap<>();
  private static final Path ROOT;

  static {
    try {
      ROOT = Files.createTempDirectory("ldm4j-openvino-tests");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(ROOT)));
  }

  private TestModels() {}

  /** The tiny SD of testkit (family 1) in {@code flavor} and {@code precision}. */
  static synchronized Path tinySd(ExportFlavor flavor, Precision precision) {
    return CACHE.computeIfAbsent("sd-" + flavor + "-" + precision, k -> {
      Path dir = ROOT.resolve(k);
      SdModel.write(dir, SdOptions.tiny().withFlavor(flavor).withPrecision(precision));
      return dir;
    });
  }

  /**
   * The tiny SD in {@code flavor} (fp32) whose text encoder also outputs every layer's hidden states
   * ({@code hidden_states.N}, what CLIP skip needs).
   */
  static synchronized Path tinySdWithHiddenStates(ExportFlavor flavor) {
    return CACHE.computeIfAbsent("sd-hidden-" + flavor, k -> {
      Path dir = ROOT.resolve(k);
      SdModel.write(dir, SdOptions.tiny().withFlavor(flavor).withTextHiddenStates(true));
      return dir;
    });
  }

  /** The shapes oracle (family 2) at {@code size} pixels. */
  static synchronized Path shapes(int size) {
    return CACHE.computeIfAbsent("shapes-" + size, k -> {
      Path dir = ROOT.resolve(k);
      ShapesModel.write(dir, ShapesOptions.defaults().withImageSize(size));
      return dir;
    });
  }

  /**
   * A copy of an ONNX folder in the optimum-intel IR layout as the emulator reads it: each
   * component's {@code openvino_model.xml} + {@code .bin}, with the network as the ONNX twin {@code
   * openvino_model.onnx} (no {@code model.onnx} left).
   */
  static synchronized Path asEmulatedIr(Path onnxFolder) {
    return CACHE.computeIfAbsent("ir-" + onnxFolder.getFileName(), k -> {
      Path dir = ROOT.resolve(k);
      try (Stream<Path> files = Files.walk(onnxFolder)) {
        for (Path f : files.toList()) {
          Path target = dir.resolve(onnxFolder.relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(target);
          } else if (f.getFileName().toString().equals("model.onnx")) {
            Path parent = target.getParent();
            Files.copy(f, parent.resolve("openvino_model.onnx"));
            Files.writeString(parent.resolve("openvino_model.xml"),
                "<?xml version=\"1.0\"?>\n<net name=\"emulated\" version=\"11\"/>\n");
            Files.write(parent.resolve("openvino_model.bin"), new byte[] {0});
          } else {
            Files.copy(f, target);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return dir;
    });
  }

  private static void delete(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
