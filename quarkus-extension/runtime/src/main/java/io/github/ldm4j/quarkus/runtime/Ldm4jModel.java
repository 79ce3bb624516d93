package io.github.ldm4j.quarkus.runtime;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.util.Objects;

/**
 * Selects a model's {@link io.github.ldm4j.generate.Generator} by name: {@code @Inject
 * @Ldm4jModel("sketch") Generator sketch;} gets the model of {@code quarkus.ldm4j.models."sketch".path}
 * (the default model's name, or an empty value, gets the default model, which a plain {@code @Inject
 * Generator} gets too). An injection point naming an unknown model fails the startup with a message
 * listing the known models. The generators stay owned by {@link Ldm4jPipelines}, which closes them
 * at shutdown: never close an injected one.
 */
@Qualifier
@Documented
@Retention(RUNTIME)
@Target({FIELD, PARAMETER, METHOD, TYPE})
public @interface Ldm4jModel {

  /** The model name; empty for the default model. */
  @Nonbinding
  String value() default "";

  /** An instance of the qualifier, for programmatic lookup ({@code Instance.select(Ldm4jModel.Literal.of("x"))}). */
  final class Literal extends AnnotationLiteral<Ldm4jModel> implements Ldm4jModel {
    private static final long serialVersionUID = 1L;
    private final String value;

    private Literal(String value) {
      this.value = Objects.requireNonNull(value, "value");
    }

    /** The qualifier naming model {@code value}. */
    public static Literal of(String value) {
      return new Literal(value);
    }

    @Override
    public String value() {
      return value;
    }
  }
}
