package io.github.ldm4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.app.bench.Bench;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ldm4j bench} in-process on the testkit tiny SD model: both sides run and the summary table
 * has its rows (no timing assertions: figures go to docs/benchmarks.md); bad options are usage errors.
 */
class BenchCommandTest {

  @TempDir Path work;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private static int run(String... args) {
    return Ldm4jCommand.execute(CommandLine.defaultFactory(), args);
  }

  @Test
  void comparesLdm4jWithThePlainOnnxRuntimeLoopAndPrintsTheTable() {
    Path model = SdModel.write(work.resolve("tiny"), SdOptions.tiny()).root();
    int code = run("bench", "--model", model.toString(), "--size", "64", "--steps", "2", "--warmup", "0", "--runs", "1",
        "--threads", "1", "--no-memory-pattern");
    String o = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(o + err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(o).contains("intraOpThreads=1", "memoryPattern=false");
    assertThat(o).contains("ldm4j run 1 wall", "floor run 1 wall", "2 UNet calls at batch 2");
    assertThat(o).contains("| median of 1 (min) | ldm4j | floor | ldm4j / floor |");
    for (String row : Bench.ROWS) {
      assertThat(o).containsPattern("\\| " + java.util.regex.Pattern.quote(row) + " \\| [0-9.]+ s.* \\| [0-9.]+ s.* \\| [0-9.]+ \\(");
    }
    assertThat(o).contains("UNet ", "×2", "peak RSS (VmHWM)", "load average");
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertThat(run("bench", "--mode", "fastest")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--mode must be compare, pipeline or floor");
    assertThat(run("bench", "--backend", "openvino")).isEqualTo(2);
    assertThat(run("bench", "--size", "250")).isEqualTo(2);
    assertThat(run("bench", "--optimization", "max")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--optimization: unknown graph optimisation level 'max'");
    assertThat(run("bench", "--threads", "-1")).isEqualTo(2);
  }
}
