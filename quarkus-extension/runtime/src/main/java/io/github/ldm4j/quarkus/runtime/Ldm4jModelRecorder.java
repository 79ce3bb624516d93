package io.github.ldm4j.quarkus.runtime;

import io.quarkus.runtime.RuntimeValue;
import io.quarkus.runtime.annotations.Recorder;
import java.util.Set;

/** Bytecode recorder: checks at startup that every {@link Ldm4jModel} injection point names a configured model. */
@Recorder
public class Ldm4jModelRecorder {

  private final RuntimeValue<Ldm4jConfig> config;

  /** Injected by Quarkus with the runtime configuration. */
  public Ldm4jModelRecorder(RuntimeValue<Ldm4jConfig> config) {
    this.config = config;
  }

  /**
   * Fails the startup when a name of {@code injected} is not a configured model.
   *
   * @see Ldm4jModels#checkNames
   */
  public void checkInjectedNames(Set<String> injected) {
    Ldm4jModels.checkNames(config.getValue(), injected);
  }
}
