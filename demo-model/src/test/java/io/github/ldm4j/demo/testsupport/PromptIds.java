package io.github.ldm4j.demo.testsupport;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Test helper, not a tokenizer: CLIP ids of the few single-token words the shapes prompts use
 * (reference facts §5), laid out as SD v1 does: BOS, words, EOS, padded with EOS to 77.
 */
public final class PromptIds {

  public static final int BOS = 49406;
  public static final int EOS = 49407;
  public static final int LENGTH = 77;

  // Reference facts §5 ("a" = 320 from "a photo of a cat" → 49406, 320, 1125, 539, 320, 2368, 49407).
  private static final Map<String, Integer> IDS = Map.of("a", 320, "red", 736, "green", 1901, "blue", 1746,
      "yellow", 4481, "circle", 7117, "square", 3999, "triangle", 14615, "cross", 3417);

  private PromptIds() {
  }

  /** ids [77] of a prompt made of known words (empty prompt → BOS, EOS, padding). */
  public static long[] of(String prompt) {
    long[] ids = new long[LENGTH];
    Arrays.fill(ids, EOS);
    ids[0] = BOS;
    int i = 1;
    for (String w : prompt.toLowerCase(Locale.ROOT).trim().split("\\s+")) {
      if (w.isEmpty()) {
        continue;
      }
      Integer id = IDS.get(w);
      if (id == null) {
        throw new IllegalArgumentException("test word list has no '" + w + "'");
      }
      ids[i++] = id;
    }
    return ids;
  }
}
