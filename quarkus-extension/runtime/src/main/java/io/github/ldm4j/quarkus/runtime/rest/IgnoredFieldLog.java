package io.github.ldm4j.quarkus.runtime.rest;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The log of A1111 fields a request asked for that ldm4j ignored ({@link A1111Field.Status#IGNORED_REPORTED}),
 * and of the OpenAI Images fields it accepts without applying them ({@code quality}, {@code style}):
 * each field once per endpoint and process, so a client sending {@code restore_faces: true} with
 * every request leaves one line, not one per image. The answers list them every time ({@code
 * info.ignored_fields}).
 */
final class IgnoredFieldLog {

  private static final Logger LOG = Logger.getLogger(IgnoredFieldLog.class);
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private IgnoredFieldLog() {}

  /** Logs those of {@code fields} not logged before for {@code endpoint}. */
  static void report(A1111Field.Scope endpoint, List<String> fields) {
    for (String f : fields) {
      if (LOGGED.add(endpoint + "/" + f)) {
        LOG.infof("A1111 %s field '%s' was ignored (listed in info.ignored_fields; see docs/a1111-api.md); "
            + "this is logged once", endpoint.name().toLowerCase(java.util.Locale.ROOT), f);
      }
    }
  }

  /**
   * Logs those of {@code fields} (OpenAI fields accepted but not applied, listed in the answer's {@code
   * ignored_fields}) not logged before for the OpenAI Images {@code endpoint}.
   */
  static void reportOpenAi(String endpoint, List<String> fields) {
    for (String f : fields) {
      if (LOGGED.add("openai-" + endpoint + "/" + f)) {
        LOG.infof("OpenAI images/%s field '%s' was accepted but not applied (listed in ignored_fields); "
            + "this is logged once", endpoint, f);
      }
    }
  }

  /** Whether {@code field} of {@code endpoint} has been logged (for tests). */
  static boolean logged(A1111Field.Scope endpoint, String field) {
    return LOGGED.contains(endpoint + "/" + field);
  }
}
