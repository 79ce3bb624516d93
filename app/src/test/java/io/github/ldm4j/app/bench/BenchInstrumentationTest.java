package io.github.ldm4j.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's instruments count what they claim to (no timing assertions): the decorators see every
 * network call of a generation, and the JFR trace sees one {@code OrtSession.run} per call.
 */
class BenchInstrumentationTest {

  @TempDir Path dir;

  @Test
  void decoratorsAndTraceSeeEveryNetworkCall() throws Exception {
    SdModel.write(dir, SdOptions.tiny());
    CallTimes times = new CallTimes();
    GenerationSettings s = GenerationSettings.builder().size(64, 64).steps(3).sampler("euler", "normal").build();
    try (Generator g = TimedModel.open(dir, BackendOptions.DEFAULTS, times, GenerationLimits.DEFAULTS);
        OrtRunTrace trace = new OrtRunTrace()) {
      trace.start();
      g.generate(new GenerationRequest.TextToImage("a red circle", "", s));
      OrtRunTrace.Result ort = trace.stop();

      assertThat(times.calls(ModelComponent.TEXT_ENCODER)).isEqualTo(1);
      assertThat(times.calls(ModelComponent.UNET)).isEqualTo(3);
      assertThat(times.calls(ModelComponent.VAE_DECODER)).isEqualTo(1);
      assertThat(times.calls(ModelComponent.VAE_ENCODER)).isZero();
      assertThat(ort.calls()).isEqualTo(5);
      assertThat(ort.nanos()).isPositive();
      assertThat(times.firstStart()).isLessThan(times.lastEnd());

      times.reset();
      assertThat(times.totalNanos()).isZero();
      assertThat(times.calls(ModelComponent.UNET)).isZero();
    }
  }

  @Test
  void nestedCallsOnOneThreadCountOnceAndThreadsAddUp() {
    Instant t = Instant.ofEpochSecond(1000);
    List<OrtRunTrace.Interval> intervals = List.of(
        new OrtRunTrace.Interval(1, t, t.plusNanos(100)),
        new OrtRunTrace.Interval(1, t.plusNanos(10), t.plusNanos(90)),   // overload called by the first
        new OrtRunTrace.Interval(1, t.plusNanos(200), t.plusNanos(250)),
        new OrtRunTrace.Interval(1, t.plusNanos(240), t.plusNanos(300)), // overlapping, reaching further
        new OrtRunTrace.Interval(2, t.plusNanos(50), t.plusNanos(80)));  // another thread: added

    OrtRunTrace.Result r = OrtRunTrace.merge(intervals);

    assertThat(r.calls()).isEqualTo(3);
    assertThat(r.nanos()).isEqualTo(100 + 100 + 30);
  }

  @Test
  void orderStatistics() {
    assertThat(Stats.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThat(Stats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(Stats.min(new double[] {4, 1, 3})).isEqualTo(1);
  }

  @Test
  void settingsReject() {
    assertThatThrownBy(() -> new BenchSettings(BenchSettings.Mode.COMPARE, 250, 10, 1, 3, "euler", "normal", 7.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--size");
    assertThatThrownBy(() -> new BenchSettings(BenchSettings.Mode.COMPARE, 256, 0, 1, 3, "euler", "normal", 7.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--steps");
    assertThat(new BenchSettings(BenchSettings.Mode.FLOOR, 256, 10, 0, 1, "euler", "normal", 7.5).latentSize())
        .isEqualTo(32);
  }
}
