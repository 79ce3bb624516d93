package io.github.ldm4j.quarkus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code quarkus.ldm4j.api-auth} read into credentials, and their comparison. */
class ApiKeyGuardBasicTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void credentialsAreCommaSeparatedUserColonPassword() {
    List<byte[]> c = ApiKeyGuard.basic(Optional.of("alice:pw, bob:p:w2"));
    assertThat(c).hasSize(2);
    assertThat(ApiKeyGuard.anyEqual(c, b("alice:pw"))).isTrue();
    assertThat(ApiKeyGuard.anyEqual(c, b("bob:p:w2"))).isTrue();
    assertThat(ApiKeyGuard.anyEqual(c, b("bob:p:w"))).isFalse();
    assertThat(ApiKeyGuard.anyEqual(c, b("alice:pwx"))).isFalse();
    assertThat(ApiKeyGuard.anyEqual(c, new byte[0])).isFalse();
    assertThat(ApiKeyGuard.basic(Optional.empty())).isEmpty();
    assertThat(ApiKeyGuard.basic(Optional.of("  "))).isEmpty();
  }

  @Test
  void aMalformedEntryNamesItsPositionNotItsContent() {
    assertThatThrownBy(() -> ApiKeyGuard.basic(Optional.of("alice:pw,hunter2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quarkus.ldm4j.api-auth: credential 2 of 2 is not 'user:password' (no ':')");
    assertThatThrownBy(() -> ApiKeyGuard.basic(Optional.of(":hunter2")))
        .hasMessage("quarkus.ldm4j.api-auth: credential 1 of 1 is not 'user:password' (empty user name)");
    assertThatThrownBy(() -> ApiKeyGuard.basic(Optional.of("alice:pw,")))
        .hasMessage("quarkus.ldm4j.api-auth: credential 2 of 2 is not 'user:password' (empty)");
  }
}
