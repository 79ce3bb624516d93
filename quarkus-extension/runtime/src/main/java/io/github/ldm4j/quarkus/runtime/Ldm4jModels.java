package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.generate.Generator;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.InjectionPoint;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Produces the models' {@link Generator}s for injection: {@code @Inject Generator} (the default
 * model) and {@code @Inject @Ldm4jModel("name") Generator} (a named one). The producers hand out
 * the generators of {@link Ldm4jPipelines}, which owns them and closes them at shutdown; there is
 * no disposer, so an injected generator must not be closed by its user.
 */
@Singleton
public class Ldm4jModels {

  private final Ldm4jPipelines pipelines;

  /** Injected. */
  @Inject
  public Ldm4jModels(Ldm4jPipelines pipelines) {
    this.pipelines = pipelines;
  }

  /** The default model's generator (owned by {@link Ldm4jPipelines}). */
  @Produces
  @Dependent
  public Generator defaultGenerator() {
    return pipelines.defaultGenerator();
  }

  /**
   * The generator of the model the injection point's {@link Ldm4jModel} names (owned by {@link
   * Ldm4jPipelines}).
   *
   * @throws IllegalArgumentException naming the model and the known ones when it is unknown
   */
  @Produces
  @Dependent
  @Ldm4jModel
  public Generator namedGenerator(InjectionPoint injectionPoint) {
    String name = injectionPoint.getQualifiers().stream().filter(Ldm4jModel.class::isInstance)
        .map(q -> ((Ldm4jModel) q).value()).findFirst().orElse("");
    if (name.isEmpty()) {
      return pipelines.defaultGenerator();
    }
    return pipelines.generator(name).orElseThrow(() -> unknown(name, pipelines.names(), injectionPoint));
  }

  private static IllegalArgumentException unknown(String name, List<String> known, Object where) {
    return new IllegalArgumentException("ldm4j: @Ldm4jModel(\"" + name + "\") names no configured model"
        + (where == null ? "" : " (at " + where + ")") + "; known models: " + known
        + " (set quarkus.ldm4j.models.\"" + name + "\".path to add it)");
  }

  /**
   * Fails when a name of {@code injected} (the {@link Ldm4jModel} values of the application's
   * injection points) is not a configured model; called at startup.
   *
   * @throws IllegalArgumentException naming the first unknown model and listing the known ones
   */
  public static void checkNames(Ldm4jConfig config, Collection<String> injected) {
    List<String> known = new ArrayList<>();
    known.add(config.model().name());
    known.addAll(config.models().keySet());
    for (String name : injected) {
      if (!name.isEmpty() && !known.contains(name)) {
        throw unknown(name, known, null);
      }
    }
  }
}
