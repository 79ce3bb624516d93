package io.github.ldm4j.app;

import io.github.ldm4j.demo.DemoModelCache;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Entry point of {@code ./ldm4j}: a Quarkus application in picocli command mode. Exit codes: 0 ok,
 * 1 runtime failure (a startup failure included), 2 usage error.
 *
 * <p>{@link #main} parses the command line once before Quarkus starts, because what {@code serve}
 * listens on cannot change after startup: usage errors exit with 2 at once; {@code serve} turns
 * the HTTP listener on (it is off for every other command, see {@code application.properties}) and
 * passes its options on as configuration ({@link ServeCommand#configuration}), the embedded demo
 * model's folder ({@link DemoModelCache#ensure()}) as the model when none is given. Then Quarkus starts
 * and {@link #run} executes the command with CDI-created commands.
 */
@QuarkusMain
public class Main implements QuarkusApplication {

  @Inject CommandLine.IFactory factory;

  /** Pre-parses, configures and runs the application; exits the JVM with the command's code. */
  public static void main(String... args) {
    CommandLine pre = Ldm4jCommand.commandLine(CommandLine.defaultFactory());
    CommandLine.ParseResult parsed;
    try {
      parsed = pre.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      System.exit(Ldm4jCommand.usageError(e));
      return;
    }
    if (parsed.subcommand() == null && !parsed.isUsageHelpRequested() && !parsed.isVersionHelpRequested()) {
      System.exit(Ldm4jCommand.usageError(new CommandLine.ParameterException(pre, Ldm4jCommand.COMMAND_REQUIRED)));
      return;
    }
    Object sub = parsed.subcommand() == null ? null : parsed.subcommand().commandSpec().userObject();
    if ((sub instanceof ServeCommand || sub instanceof WorkerCommand) && !parsed.subcommand().isUsageHelpRequested()) {
      try {
        (sub instanceof ServeCommand serve ? serve.configuration(DemoModelCache::ensure)
            : ((WorkerCommand) sub).configuration(DemoModelCache::ensure)).forEach(System::setProperty);
      } catch (IllegalArgumentException e) {
        System.exit(Ldm4jCommand.usageError(
            new CommandLine.ParameterException(parsed.subcommand().commandSpec().commandLine(), e.getMessage())));
        return;
      } catch (UncheckedIOException e) {
        System.err.println("ldm4j: cannot start: " + e.getMessage() + ": " + e.getCause().getMessage());
        System.exit(1);
        return;
      }
    }
    Quarkus.run(Main.class, (code, failure) -> {
      if (failure != null) {
        PrintWriter err = new PrintWriter(System.err, true);
        err.println("ldm4j: cannot start: " + Ldm4jCommand.startupMessage(failure));
        if (Ldm4jCommand.verbose(args)) {
          failure.printStackTrace(err);
        }
        err.flush();
        System.exit(1);
      }
      System.exit(code);
    }, args);
  }

  @Override
  public int run(String... args) {
    return Ldm4jCommand.execute(factory, args);
  }
}
