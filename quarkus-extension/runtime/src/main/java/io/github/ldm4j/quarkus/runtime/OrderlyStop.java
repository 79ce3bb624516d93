package io.github.ldm4j.quarkus.runtime;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into an orderly stop ({@code quarkus.ldm4j.stop-on-signal}): the first signal asks Quarkus to
 * exit ({@link Quarkus#asyncExit}), which lets queued generations drain for {@code
 * quarkus.shutdown.timeout}, answers the rest 503 and closes the models, and only then exits the
 * JVM. Without it the JVM's default handler starts every shutdown hook at once, and ONNX Runtime's
 * own hook releases its environment while a generation may still be running in it (a native
 * crash). A second signal halts the process at once.
 */
public final class OrderlyStop {

  private static final AtomicBoolean STOPPING = new AtomicBoolean();

  private OrderlyStop() {}

  /** Installs the handlers (once per process; later calls change nothing). */
  public static void install() {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), OrderlyStop::onSignal);
      } catch (IllegalArgumentException e) {
        // the signal is not available on this platform (or reserved by the VM): keep the default
      }
    }
  }

  private static void onSignal(Signal signal) {
    if (STOPPING.compareAndSet(false, true)) {
      System.err.println("ldm4j: SIG" + signal.getName() + ": stopping (a second signal stops at once)");
      Quarkus.asyncExit(0);
    } else {
      Runtime.getRuntime().halt(128 + signal.getNumber());
    }
  }
}
