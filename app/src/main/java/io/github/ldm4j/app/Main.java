package io.github.ldm4j.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./ldm4j}. Exit codes: 0 ok, 1 runtime failure, 2 usage error. */
@Command(
    name = "ldm4j",
    mixinStandardHelpOptions = true,
    version = "ldm4j 0.1.0-SNAPSHOT",
    description = "Latent diffusion (Stable Diffusion v1) on the JVM.",
    subcommands = {GenerateCommand.class, DemoModelCommand.class, SamplersCommand.class, TokenizeCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      boolean verbose = parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose");
      if (verbose) {
        ex.printStackTrace(cmd.getErr());
      } else {
        cmd.getErr().println("ldm4j: " + message(ex));
      }
      return ex instanceof IllegalArgumentException ? 2 : 1;
    });
    return cl.execute(args);
  }

  static String message(Throwable t) {
    String m = t.getMessage();
    Throwable c = t;
    while ((m == null || m.isBlank()) && c.getCause() != null) {
      c = c.getCause();
      m = c.getMessage();
    }
    return m == null ? t.getClass().getSimpleName() : m;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: generate, demo-model, samplers or tokenize");
  }
}
