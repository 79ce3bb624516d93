package io.github.ldm4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Prometheus metrics of the generations at {@code /q/metrics}. */
@QuarkusTest
@QuarkusTestResource(ShapesModelResource.class)
class MetricsTest {

  @TestHTTPResource("/") URI base;

  @Test
  void generationsAreCounted() {
    HttpResponse<String> r = Http.post(base, "/v1/images/generations", "{\"prompt\":\"a red circle\",\"steps\":4,\"n\":2}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String metrics = Http.get(base, "/q/metrics").body();
    assertThat(metrics).contains("ldm4j_images_total", "ldm4j_steps_total", "ldm4j_generation_seconds_count",
        "ldm4j_queue_depth", "ldm4j_generations_running");
    assertThat(value(metrics, "ldm4j_images_total")).isGreaterThanOrEqualTo(2);
    assertThat(value(metrics, "ldm4j_steps_total")).isGreaterThanOrEqualTo(4);
  }

  private static double value(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
