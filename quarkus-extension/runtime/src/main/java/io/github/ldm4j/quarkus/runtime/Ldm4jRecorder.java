package io.github.ldm4j.quarkus.runtime;

import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;
import java.util.function.Supplier;

/**
 * Bytecode recorder: creates the {@link Ldm4jPipelines} bean and the {@link Ldm4jShutdownListener}
 * at runtime-init.
 */
@Recorder
public class Ldm4jRecorder {

  private final RuntimeValue<Ldm4jConfig> config;

  /** Injected by Quarkus with the runtime configuration. */
  public Ldm4jRecorder(RuntimeValue<Ldm4jConfig> config) {
    this.config = config;
  }

  /** A supplier that opens the configured models (called once, when the bean is created at startup). */
  public Supplier<Ldm4jPipelines> pipelines() {
    return () -> Ldm4jPipelines.open(config.getValue());
  }

  /** The listener that drains, then cancels, the generations at shutdown. */
  public io.quarkus.runtime.shutdown.ShutdownListener shutdownListener() {
    return new Ldm4jShutdownListener();
  }
}
