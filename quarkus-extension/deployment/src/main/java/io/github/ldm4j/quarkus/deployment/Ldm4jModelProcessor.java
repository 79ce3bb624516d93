package io.github.ldm4j.quarkus.deployment;

import io.github.ldm4j.quarkus.runtime.Ldm4jModel;
import io.github.ldm4j.quarkus.runtime.Ldm4jModelRecorder;
import io.github.ldm4j.quarkus.runtime.Ldm4jModels;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.processor.InjectionPointInfo;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.DotName;

/** The {@link Ldm4jModel} qualifier: the generator producers and the startup check of the injected names. */
class Ldm4jModelProcessor {

  static final DotName LDM4J_MODEL = DotName.createSimple(Ldm4jModel.class);

  /** The producers of {@code @Inject Generator} and {@code @Inject @Ldm4jModel("name") Generator}, and the qualifier. */
  @BuildStep
  AdditionalBeanBuildItem modelBeans() {
    return AdditionalBeanBuildItem.builder().setUnremovable().addBeanClasses(Ldm4jModels.class, Ldm4jModel.class)
        .build();
  }

  /** The model names of the application's {@link Ldm4jModel} injection points. */
  static Set<String> injectedNames(Iterable<InjectionPointInfo> injectionPoints) {
    Set<String> names = new TreeSet<>();
    for (InjectionPointInfo ip : injectionPoints) {
      AnnotationInstance q = ip.getRequiredQualifier(LDM4J_MODEL);
      if (q != null) {
        AnnotationValue v = q.value();
        names.add(v == null ? "" : v.asString());
      }
    }
    return names;
  }

  /** Fails the startup when an injection point names a model that is not configured. */
  @BuildStep
  @Record(ExecutionTime.RUNTIME_INIT)
  void checkInjectedModels(BeanDiscoveryFinishedBuildItem beans, Ldm4jModelRecorder recorder) {
    Set<String> names = injectedNames(beans.getInjectionPoints());
    if (!names.isEmpty()) {
      recorder.checkInjectedNames(names);
    }
  }
}
