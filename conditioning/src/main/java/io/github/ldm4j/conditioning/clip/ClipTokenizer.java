package io.github.ldm4j.conditioning.clip;

import io.github.ldm4j.conditioning.Tokenizer;
import io.github.ldm4j.conditioning.clip.internal.Bpe;
import io.github.ldm4j.conditioning.clip.internal.ByteUnicode;
import io.github.ldm4j.conditioning.clip.internal.ClipSplitter;
import io.github.ldm4j.conditioning.clip.internal.ClipText;
import io.github.ldm4j.conditioning.clip.internal.LruCache;
import io.github.ldm4j.folder.ModelFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The CLIP BPE tokenizer in pure Java, exact to OpenAI's {@code simple_tokenizer.py} on text that
 * ftfy would leave alone (the Hugging Face {@code CLIPTokenizer} gives the same ids on such text).
 *
 * <ol>
 *   <li>Cleaning: HTML unescape twice (all HTML5 named references, numeric references with
 *       CPython's rules), Unicode NFC, strip, white-space runs → one space, lower case. ftfy's other
 *       repairs (mojibake, curly quotes, full-width forms, ligatures) are not applied.
 *   <li>Splitting with the CLIP pattern ({@code 's|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}),
 *       BOS/EOS token strings kept whole where a match starts.
 *   <li>Each piece as UTF-8 bytes through the byte→unicode map, then rank-ordered BPE with {@code
 *       </w>} on the last symbol; results are cached per piece in a bounded LRU cache.
 * </ol>
 *
 * <p>Never fails on text: any {@link String} (unpaired surrogates become U+FFFD) gives ids. Only
 * a null text is rejected. Immutable apart from the cache; safe for concurrent use.
 */
public final class ClipTokenizer implements Tokenizer {

  /** Default number of pieces kept in the BPE cache. */
  public static final int DEFAULT_CACHE_CAPACITY = 10_000;

  /** Pieces longer than this (in chars) are not cached. */
  private static final int MAX_CACHED_PIECE = 256;

  private final ClipVocabulary vocabulary;
  private final Bpe bpe;
  private final ClipSplitter splitter;
  private final int[] specialIds;
  private final int bosId;
  private final int eosId;
  private final int padId;
  private final String[] tokensById;
  private final LruCache<String, int[]> cache;

  /** A tokenizer over {@code vocabulary} with the default cache. */
  public ClipTokenizer(ClipVocabulary vocabulary) {
    this(vocabulary, DEFAULT_CACHE_CAPACITY);
  }

  /**
   * A tokenizer over {@code vocabulary} caching at most {@code cacheCapacity} pieces (0: no cache).
   *
   * @throws IllegalArgumentException when the vocabulary lacks a byte symbol or a merge's parts or
   *     result
   */
  public ClipTokenizer(ClipVocabulary vocabulary, int cacheCapacity) {
    this.vocabulary = Objects.requireNonNull(vocabulary, "vocabulary");
    this.bpe = new Bpe(vocabulary.tokenIds(), vocabulary.mergesView(), vocabulary.source());
    this.bosId = vocabulary.id(vocabulary.bosToken()).orElseThrow();
    this.eosId = vocabulary.id(vocabulary.eosToken()).orElseThrow();
    this.padId = vocabulary.id(vocabulary.padToken()).orElseThrow();
    List<String> specials = List.of(vocabulary.bosToken(), vocabulary.eosToken());
    this.splitter = new ClipSplitter(specials.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList());
    this.specialIds = new int[] {bosId, eosId};
    this.tokensById = vocabulary.tokensView().toArray(String[]::new);
    this.cache = new LruCache<>(cacheCapacity);
  }

  /**
   * The tokenizer of a model folder: its {@code tokenizer/} files when present, else OpenAI's CLIP
   * vocabulary ({@link #openAiClip()}).
   *
   * @throws IOException naming the tokenizer file that is missing or malformed
   */
  public static ClipTokenizer forModel(ModelFolder folder) throws IOException {
    if (folder.tokenizerDir().isEmpty()) {
      return openAiClip();
    }
    Path dir = folder.tokenizerDir().get();
    try {
      return new ClipTokenizer(ClipVocabulary.fromTokenizerDirectory(dir));
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      // a missing or malformed model file, like any other of the folder: an I/O error (the message names the file)
      throw new IOException("cannot read the tokenizer in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** OpenAI's CLIP tokenizer (SD v1: pad with {@code <|endoftext|>}). */
  public static ClipTokenizer openAiClip() {
    return DefaultHolder.INSTANCE;
  }

  private static final class DefaultHolder {
    static final ClipTokenizer INSTANCE = new ClipTokenizer(ClipVocabulary.openAiClip());
  }

  /** The vocabulary. */
  public ClipVocabulary vocabulary() {
    return vocabulary;
  }

  /** Text as the splitter sees it: cleaned and lower-cased (see the class comment). */
  public static String clean(String text) {
    return ClipText.clean(requireText(text));
  }

  @Override
  public int[] tokenize(String text) {
    String cleaned = ClipText.clean(requireText(text));
    IdBuffer out = new IdBuffer(cleaned.length() + 4);
    splitter.split(cleaned, new ClipSplitter.Sink() {
      @Override
      public void special(int index) {
        out.add(specialIds[index]);
      }

      @Override
      public void piece(String s, int from, int to) {
        String piece = s.substring(from, to);
        int[] ids = piece.length() <= MAX_CACHED_PIECE ? cache.get(piece, ClipTokenizer.this::bpePiece) : bpePiece(piece);
        out.addAll(ids);
      }
    });
    return out.toArray();
  }

  private int[] bpePiece(String piece) {
    return bpe.encode(piece.getBytes(StandardCharsets.UTF_8));
  }

  private static String requireText(String text) {
    if (text == null) {
      throw new IllegalArgumentException("prompt text must not be null");
    }
    return text;
  }

  @Override
  public String decode(int[] ids) {
    Objects.requireNonNull(ids, "ids");
    StringBuilder symbols = new StringBuilder(ids.length * 4);
    for (int id : ids) {
      if (id < 0 || id >= tokensById.length || tokensById[id] == null) {
        throw new IllegalArgumentException(
            "token id " + id + " is not in the vocabulary (" + tokensById.length + " ids)");
      }
      if (id == bosId || id == eosId) {
        continue;
      }
      symbols.append(tokensById[id]);
    }
    byte[] bytes = new byte[symbols.length()];
    int n = 0;
    for (int i = 0; i < symbols.length(); i++) {
      int b = ByteUnicode.byteOf(symbols.charAt(i));
      if (b < 0) {
        // A token outside the byte alphabet (e.g. a special of a foreign vocabulary): its UTF-8 bytes.
        byte[] raw = String.valueOf(symbols.charAt(i)).getBytes(StandardCharsets.UTF_8);
        bytes = Arrays.copyOf(bytes, bytes.length + raw.length);
        System.arraycopy(raw, 0, bytes, n, raw.length);
        n += raw.length;
      } else {
        bytes[n++] = (byte) b;
      }
    }
    return utf8(bytes, n).replace(Bpe.END_OF_WORD, " ").strip();
  }

  private static String utf8(byte[] bytes, int n) {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      CharBuffer cb = dec.decode(ByteBuffer.wrap(bytes, 0, n));
      return cb.toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("UTF-8 decoding with replacement cannot fail", e);
    }
  }

  @Override
  public int contextLength() {
    return vocabulary.contextLength();
  }

  @Override
  public int bosId() {
    return bosId;
  }

  @Override
  public int eosId() {
    return eosId;
  }

  @Override
  public int padId() {
    return padId;
  }

  @Override
  public int vocabularySize() {
    return vocabulary.size();
  }

  @Override
  public OptionalInt tokenId(String vocabularyToken) {
    return vocabulary.id(vocabularyToken);
  }

  /** Number of pieces currently cached. */
  public int cachedPieces() {
    return cache.size();
  }

  @Override
  public String toString() {
    return "ClipTokenizer[" + vocabulary + "]";
  }

  /** A growable int list. */
  private static final class IdBuffer {
    private int[] a;
    private int n;

    IdBuffer(int capacity) {
      a = new int[Math.max(8, capacity)];
    }

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = v;
    }

    void addAll(int[] vs) {
      if (n + vs.length > a.length) {
        a = Arrays.copyOf(a, Math.max(a.length * 2, n + vs.length));
      }
      System.arraycopy(vs, 0, a, n, vs.length);
      n += vs.length;
    }

    int[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
