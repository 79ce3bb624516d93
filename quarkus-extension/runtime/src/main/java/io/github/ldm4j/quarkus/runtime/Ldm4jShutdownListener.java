package io.github.ldm4j.quarkus.runtime;

import io.quarkus.arc.Arc;
import io.quarkus.arc.InstanceHandle;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.shutdown.ShutdownListener;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Graceful shutdown of the {@link GenerationService}, in Quarkus' two shutdown phases, while the
 * HTTP server still answers (it closes only after them, before the {@code ShutdownEvent}; it even
 * keeps accepting connections). In the pre-shutdown phase, as soon as the shutdown begins, the
 * service {@linkplain GenerationService#stopAdmitting() stops admitting}: readiness goes down and a
 * new generation request is answered 503 {@code shutting_down} with {@code Retry-After} at once
 * (Quarkus' own graceful shutdown would let it in). In the shutdown phase, with {@code quarkus.shutdown.timeout} T set, the queued and running
 * generations may finish for {@link #drainTime T minus a margin}; then {@link GenerationService#shutdown()}
 * cancels what is left, so that each waiting request is answered 503 {@code shutting_down} before
 * the server closes. Without T it cancels at once and waits briefly for the callers to answer.
 */
public class Ldm4jShutdownListener implements ShutdownListener {

  /** How long the callers of cancelled generations get to answer when no shutdown timeout is set. */
  static final Duration ANSWER_WAIT = Duration.ofSeconds(2);

  @Override
  public void preShutdown(ShutdownNotification notification) {
    try {
      service().ifPresent(GenerationService::stopAdmitting);
    } finally {
      notification.done();
    }
  }

  @Override
  public void shutdown(ShutdownNotification notification) {
    Optional<GenerationService> found = service();
    if (found.isEmpty()) {
      notification.done();
      return;
    }
    GenerationService service = found.get();
    Optional<Duration> timeout = ConfigProvider.getConfig().getOptionalValue("quarkus.shutdown.timeout", String.class)
        .map(s -> new DurationConverter().convert(s.trim()));
    if (timeout.isEmpty()) {
      // Quarkus does not wait for this phase: answer now, before the HTTP server closes
      service.shutdown();
      service.awaitCallers(ANSWER_WAIT);
      notification.done();
      return;
    }
    Duration drain = drainTime(timeout.get());
    Thread.ofPlatform().daemon().name("ldm4j-shutdown").start(() -> {
      try {
        service.awaitCallers(drain);
        service.shutdown();
        service.awaitCallers(ANSWER_WAIT);
      } finally {
        notification.done();
      }
    });
  }

  private static Optional<GenerationService> service() {
    InstanceHandle<GenerationService> handle = Arc.container() == null ? null
        : Arc.container().instance(GenerationService.class);
    return handle == null || !handle.isAvailable() ? Optional.empty() : Optional.of(handle.get());
  }

  /**
   * How long generations may run on after the shutdown began, of a shutdown timeout of {@code
   * timeout}: {@code timeout} less a tenth of it (at least 1 s) left for the cancelled requests'
   * answers; zero for timeouts up to 1 s.
   */
  static Duration drainTime(Duration timeout) {
    Duration margin = timeout.dividedBy(10);
    if (margin.compareTo(Duration.ofSeconds(1)) < 0) {
      margin = Duration.ofSeconds(1);
    }
    Duration d = timeout.minus(margin);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
