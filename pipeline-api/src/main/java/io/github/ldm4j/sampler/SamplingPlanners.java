package io.github.ldm4j.sampler;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds the {@link SamplingPlanner} on the class path. */
public final class SamplingPlanners {

  private SamplingPlanners() {}

  /**
   * The registered planner.
   *
   * @throws IllegalStateException when none is registered (add {@code io.github.ldm4j:ldm4j-samplers})
   *     or several are
   */
  public static SamplingPlanner get() {
    List<SamplingPlanner> found = new ArrayList<>();
    ServiceLoader.load(SamplingPlanner.class, SamplingPlanner.class.getClassLoader()).forEach(found::add);
    if (found.isEmpty()) {
      ClassLoader ctx = Thread.currentThread().getContextClassLoader();
      if (ctx != null) {
        ServiceLoader.load(SamplingPlanner.class, ctx).forEach(found::add);
      }
    }
    if (found.isEmpty()) {
      throw new IllegalStateException(
          "no SamplingPlanner is registered: add io.github.ldm4j:ldm4j-samplers to the class path");
    }
    if (found.size() > 1 && found.stream().map(Object::getClass).distinct().count() > 1) {
      throw new IllegalStateException("several SamplingPlanners are registered: "
          + found.stream().map(p -> p.getClass().getName()).toList());
    }
    return found.getFirst();
  }
}
