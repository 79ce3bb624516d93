package io.github.ldm4j.it;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the HTTP tests that hold generations at the {@link GateSampler}: before each test the
 * server is idle and the gate shut; after it the gate is opened for good and the server idle again,
 * so a generation a test left behind cannot reach into the next one.
 */
abstract class GatedHttpTest {

  @TestHTTPResource("/") URI base;

  /** Extra headers of the idle checks (e.g. an API key); none by default. */
  String[] headers() {
    return new String[0];
  }

  @BeforeEach
  void shutTheGate() {
    Http.awaitIdle(base, headers());
    GateSampler.shut();
  }

  @AfterEach
  void openTheGate() {
    GateSampler.openFully();
    Http.awaitIdle(base, headers());
  }
}
