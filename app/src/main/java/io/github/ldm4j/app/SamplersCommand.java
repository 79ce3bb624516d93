package io.github.ldm4j.app;

import io.github.ldm4j.samplers.StepSchedulers;
import io.github.ldm4j.sampler.Samplers;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/** {@code ldm4j samplers}: the registered samplers and schedules as JSON. */
@Command(name = "samplers", mixinStandardHelpOptions = true,
    description = "Prints {\"samplers\":[…],\"schedulers\":[…]} as JSON.")
final class SamplersCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.out.println("{\"samplers\":" + json(Samplers.names()) + ",\"schedulers\":" + json(StepSchedulers.names()) + "}");
    return 0;
  }

  private static String json(List<String> names) {
    return names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(",", "[", "]"));
  }
}
