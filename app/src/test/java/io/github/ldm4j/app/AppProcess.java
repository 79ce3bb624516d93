package io.github.ldm4j.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged application ({@code target/quarkus-app/quarkus-run.jar}, as {@code ./ldm4j}
 * does) as a process, with the demo model cached under {@code target/it-home}.
 */
final class AppProcess {

  /** What a finished run left. */
  record Result(int exitCode, String stdout, String stderr) {}

  private AppProcess() {}

  static Path jar() {
    Path jar = Path.of(System.getProperty("ldm4j.app.dir", "target/quarkus-app")).resolve("quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: package the app first (failsafe runs after package)");
    }
    return jar;
  }

  static Path home() {
    return Path.of("target", "it-home").toAbsolutePath();
  }

  /** The command line: this JVM's java, the launcher's flags, {@code jvmArgs}, the jar, {@code args}. */
  static List<String> command(List<String> jvmArgs, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-XX:MaxDirectMemorySize=4g");
    cmd.add("-Dldm4j.home=" + home());
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Runs to completion (at most 5 minutes) in {@code dir}. */
  static Result run(Path dir, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "stdout", ".txt");
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Process p = new ProcessBuilder(command(jvmArgs, args)).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("ldm4j " + String.join(" ", args) + " did not finish");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  static Result run(Path dir, String... args) throws IOException, InterruptedException {
    return run(dir, List.of(), args);
  }
}
