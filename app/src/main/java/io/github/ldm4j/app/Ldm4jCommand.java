package io.github.ldm4j.app;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top command {@code ldm4j} and the command line's exit-code policy. */
@TopCommand
@Command(
    name = "ldm4j",
    mixinStandardHelpOptions = true,
    version = "ldm4j 0.1.0-SNAPSHOT",
    description = "Latent diffusion (Stable Diffusion v1) on the JVM.",
    subcommands = {GenerateCommand.class, ServeCommand.class, WorkerCommand.class, TokenizeCommand.class, InspectCommand.class,
        SamplersCommand.class, DemoModelCommand.class, ConvertCommand.class, BenchCommand.class})
public final class Ldm4jCommand implements Runnable {

  /** Exit code of a runtime failure. */
  public static final int FAILURE = 1;
  /** Exit code of a usage error. */
  public static final int USAGE = 2;

  /** The message of a command line without a command. */
  static final String COMMAND_REQUIRED =
      "a command is required: generate, serve, tokenize, inspect, samplers, demo-model, convert or bench";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The command line with commands created by {@code factory} (CDI in the application). */
  public static CommandLine commandLine(CommandLine.IFactory factory) {
    CommandLine cl = new CommandLine(Ldm4jCommand.class, factory);
    cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      if (ex instanceof CommandLine.ParameterException pe) {
        return usageError(pe);
      }
      boolean verbose = parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose");
      if (verbose) {
        ex.printStackTrace(cmd.getErr());
      } else {
        cmd.getErr().println("ldm4j: " + message(ex));
      }
      return ex instanceof IllegalArgumentException ? USAGE : FAILURE;
    });
    cl.setParameterExceptionHandler((ex, args) -> usageError(ex));
    return cl;
  }

  /**
   * Runs the command line and returns its exit code: 0 ok, 1 runtime failure, 2 usage error
   * (picocli's parse errors and {@link IllegalArgumentException}s of the options' values).
   */
  public static int execute(CommandLine.IFactory factory, String... args) {
    return commandLine(factory).execute(args);
  }

  /** Prints a usage error (the message and where to get help) and returns {@link #USAGE}. */
  static int usageError(CommandLine.ParameterException e) {
    CommandLine cmd = e.getCommandLine();
    cmd.getErr().println("ldm4j: " + e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, cmd.getErr()); // "Did you mean: generate?"
    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    return USAGE;
  }

  /** Whether {@code --verbose} is among the arguments. */
  static boolean verbose(String... args) {
    return Arrays.asList(args).contains("--verbose");
  }

  /**
   * The message to show for {@code t}: the first in its cause chain that starts with "ldm4j: " (the
   * extension's model-opening failures), else the first non-blank one, else the type's name.
   */
  static String message(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && c.getMessage().startsWith("ldm4j: ")) {
        return c.getMessage().substring("ldm4j: ".length());
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        return c.getMessage();
      }
    }
    return t.getClass().getSimpleName();
  }

  /**
   * The message of a failed startup: an extension message ("ldm4j: …") if any, else the deepest
   * non-blank one (Quarkus wraps the cause, e.g. a configuration error naming the property, in
   * "Failed to start quarkus").
   */
  static String startupMessage(Throwable t) {
    String deepest = null;
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && m.startsWith("ldm4j: ")) {
        return m.substring("ldm4j: ".length());
      }
      if (m != null && !m.isBlank()) {
        deepest = m;
      }
    }
    return deepest != null ? deepest : t.getClass().getSimpleName();
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), COMMAND_REQUIRED);
  }
}
