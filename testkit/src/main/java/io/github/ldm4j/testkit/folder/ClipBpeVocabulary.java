package io.github.ldm4j.testkit.folder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The CLIP BPE vocabulary of SD v1 (reference facts §5), derived from the merges file that
 * {@code ldm4j-conditioning} ships as {@value #RESOURCE}: the first 49152 − 256 − 2 merges after
 * the header line; vocabulary = the 256 byte symbols (GPT-2 byte-to-unicode order), the same with
 * {@code </w>}, the merged tokens in merge order, then {@code <|startoftext|>} (49406) and
 * {@code <|endoftext|>} (49407). Immutable.
 */
public final class ClipBpeVocabulary {

  /** Classpath location of the gzipped merges file. */
  public static final String RESOURCE = "/io/github/ldm4j/conditioning/clip/bpe_simple_vocab_16e6.txt.gz";
  /** Number of merges used. */
  public static final int MERGES = 49152 - 256 - 2;
  /** Vocabulary size. */
  public static final int SIZE = 49408;
  /** Start-of-text token. */
  public static final String BOS = "<|startoftext|>";
  /** End-of-text token (also the SD v1 padding token). */
  public static final String EOS = "<|endoftext|>";
  /** Id of {@link #BOS}. */
  public static final int BOS_ID = 49406;
  /** Id of {@link #EOS}. */
  public static final int EOS_ID = 49407;

  private static volatile ClipBpeVocabulary instance;

  private final List<String> merges;
  private final List<String> tokens;
  private final Map<String, Integer> ids;

  private ClipBpeVocabulary(List<String> merges) {
    this.merges = Collections.unmodifiableList(merges);
    List<String> bytes = byteSymbols();
    List<String> t = new ArrayList<>(SIZE);
    t.addAll(bytes);
    for (String b : bytes) {
      t.add(b + "</w>");
    }
    for (String m : merges) {
      t.add(m.replace(" ", ""));
    }
    t.add(BOS);
    t.add(EOS);
    if (t.size() != SIZE) {
      throw new IllegalStateException("CLIP vocabulary has " + t.size() + " tokens, expected " + SIZE);
    }
    this.tokens = Collections.unmodifiableList(t);
    Map<String, Integer> m = new HashMap<>(2 * SIZE);
    for (int i = 0; i < t.size(); i++) {
      m.putIfAbsent(t.get(i), i);
    }
    this.ids = m;
  }

  /** The vocabulary read from the conditioning module's resource (cached). */
  public static ClipBpeVocabulary load() {
    ClipBpeVocabulary v = instance;
    if (v == null) {
      synchronized (ClipBpeVocabulary.class) {
        v = instance;
        if (v == null) {
          v = new ClipBpeVocabulary(readMerges());
          instance = v;
        }
      }
    }
    return v;
  }

  /** The merges, each "left right", in priority order ({@value #MERGES} of them). */
  public List<String> merges() {
    return merges;
  }

  /** Tokens in id order. */
  public List<String> tokens() {
    return tokens;
  }

  /** The id of {@code token}. */
  public int id(String token) {
    Integer id = ids.get(token);
    if (id == null) {
      throw new IllegalArgumentException("token '" + token + "' is not in the CLIP vocabulary");
    }
    return id;
  }

  /**
   * GPT-2 / CLIP {@code bytes_to_unicode} symbols in vocabulary order: the printable bytes
   * ('!'..'~', '¡'..'¬', '®'..'ÿ') as themselves, then every other byte b as U+0100 + n in
   * increasing byte order.
   */
  public static List<String> byteSymbols() {
    List<String> out = new ArrayList<>(256);
    boolean[] printable = new boolean[256];
    for (int b = 0; b < 256; b++) {
      printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      if (printable[b]) {
        out.add(String.valueOf((char) b));
      }
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (!printable[b]) {
        out.add(String.valueOf((char) (256 + n++)));
      }
    }
    return out;
  }

  private static List<String> readMerges() {
    try (InputStream raw = ClipBpeVocabulary.class.getResourceAsStream(RESOURCE)) {
      if (raw == null) {
        throw new IllegalStateException("CLIP BPE merges not found on the classpath at " + RESOURCE
            + " (it ships with ldm4j-conditioning)");
      }
      try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
          StandardCharsets.UTF_8))) {
        r.readLine(); // header
        List<String> merges = new ArrayList<>(MERGES);
        for (int i = 0; i < MERGES; i++) {
          String line = r.readLine();
          if (line == null) {
            throw new IllegalStateException("CLIP BPE merges file ends after " + i + " merges, expected " + MERGES);
          }
          merges.add(line);
        }
        return merges;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
