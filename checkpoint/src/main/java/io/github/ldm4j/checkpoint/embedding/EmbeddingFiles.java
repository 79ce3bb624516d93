package io.github.ldm4j.checkpoint.embedding;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.checkpoint.library.FileHashes;
import io.github.ldm4j.checkpoint.library.ModelEntry;
import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.checkpoint.library.ModelLibrary;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Reads textual-inversion embedding files.
 *
 * <p>Which tensor holds the vectors, as AUTOMATIC1111's {@code EmbeddingDatabase.load_from_file}
 * looks (the first that applies):
 *
 * <ol>
 *   <li>{@code string_to_param['*']} (A1111 and the original textual-inversion {@code .pt}; nested
 *       dicts are read by {@link io.github.ldm4j.checkpoint.pickle.TorchCheckpoint} as {@code
 *       string_to_param.*}); another single key of {@code string_to_param} is accepted too;
 *   <li>{@code emb_params} (A1111's safetensors embeddings);
 *   <li>{@code clip_l} (SDXL embeddings, which also hold {@code clip_g}): the CLIP ViT-L vectors, the
 *       text encoder of SD 1.x — on an SD 2.x model their width does not match and using them fails
 *       naming the file;
 *   <li>a file holding exactly one tensor (diffusers' {@code learned_embeds.bin}: {@code
 *       {"<token>": [width]}}).
 * </ol>
 *
 * <p>A 1-D tensor is one vector; a 2-D tensor {@code [k, width]} is k vectors. The values are read
 * as float32 (float16 and bfloat16 files are widened). A file holding none of these, a tensor of
 * another rank or an integer type, non-finite values, or a truncated or hostile file (the restricted
 * unpickler refuses any global but a state dict's) is a {@link CheckpointFormatException} naming
 * the file. The embedding's name is the file name without extension (A1111's rule), whatever name
 * the file records.
 */
public final class EmbeddingFiles {

  /** The most vectors one embedding may have: they must fit in one 75-token prompt chunk. */
  public static final int MAX_VECTORS = 75;

  private EmbeddingFiles() {}

  /**
   * Reads the embedding of {@code file}, named by its file name without extension.
   *
   * @throws CheckpointFormatException naming the file when it holds no embedding or a malformed one
   * @throws IOException when it cannot be read
   */
  public static TextualInversion read(Path file) throws IOException {
    return read(file, stem(file));
  }

  /**
   * Reads the embedding of {@code file} under {@code name}.
   *
   * @throws CheckpointFormatException naming the file when it holds no embedding or a malformed one
   * @throws IOException when it cannot be read
   */
  public static TextualInversion read(Path file, String name) throws IOException {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(name, "name");
    try (StateDict dict = StateDicts.open(file)) {
      Map<String, TensorEntry> entries = dict.entries();
      String key = vectorsKey(file, entries);
      TensorEntry e = entries.get(key);
      if (!e.dtype().isFloating()) {
        throw new CheckpointFormatException(file, "embedding tensor '" + key + "' is " + e.dtype() + ", expected a float type");
      }
      long[] shape = e.shape();
      if (shape.length < 1 || shape.length > 2) {
        throw new CheckpointFormatException(file, "embedding tensor '" + key + "' has shape " + java.util.Arrays.toString(shape)
            + ", expected [width] or [vectors, width]");
      }
      long k = shape.length == 1 ? 1 : shape[0];
      long width = shape[shape.length - 1];
      if (k < 1 || width < 1) {
        throw new CheckpointFormatException(file, "embedding tensor '" + key + "' is empty (shape "
            + java.util.Arrays.toString(shape) + ")");
      }
      if (k > MAX_VECTORS) {
        throw new CheckpointFormatException(file, "embedding tensor '" + key + "' has " + k + " vectors; at most "
            + MAX_VECTORS + " fit in a prompt chunk");
      }
      Tensor vectors = dict.toFloat(key).reshape((int) k, (int) width);
      String source = key.equals("clip_l") ? file + " (the clip_l vectors of an SDXL embedding)" : file.toString();
      try {
        return new TextualInversion(name, vectors.copy(), source);
      } catch (IllegalArgumentException bad) {
        throw new CheckpointFormatException(file, bad.getMessage(), bad);
      }
    }
  }

  private static String vectorsKey(Path file, Map<String, TensorEntry> entries) throws CheckpointFormatException {
    if (entries.containsKey("string_to_param.*")) {
      return "string_to_param.*";
    }
    List<String> params = entries.keySet().stream().filter(k -> k.startsWith("string_to_param.")).toList();
    if (params.size() == 1) {
      return params.getFirst();
    }
    if (params.size() > 1) {
      throw new CheckpointFormatException(file, "string_to_param holds " + params.size() + " tensors " + first(params)
          + "; an embedding file has one");
    }
    if (entries.containsKey("emb_params")) {
      return "emb_params";
    }
    if (entries.containsKey("clip_l")) {
      return "clip_l";
    }
    if (entries.size() == 1) {
      return entries.keySet().iterator().next();
    }
    throw new CheckpointFormatException(file, "no textual-inversion embedding found: expected string_to_param['*'] (.pt), "
        + "emb_params (.safetensors), clip_l (SDXL) or a single tensor (diffusers), but the file has "
        + (entries.isEmpty() ? "no tensors" : entries.size() + " tensors " + first(new ArrayList<>(entries.keySet())))
        + " (a LoRA or a checkpoint in the embeddings folder?)");
  }

  private static String first(List<String> keys) {
    return keys.subList(0, Math.min(5, keys.size())) + (keys.size() > 5 ? "…" : "");
  }

  /**
   * What reading a library's embeddings gave.
   *
   * @param embeddings the embeddings read, in the library's order
   * @param files each embedding's file, by name
   * @param problems one line per file that could not be read or whose name was taken (those files are
   *     left out, as A1111 skips them)
   */
  public record Loaded(List<TextualInversion> embeddings, Map<String, Path> files, List<String> problems) {

    /** Nothing loaded. */
    public static final Loaded NONE = new Loaded(List.of(), Map.of(), List.of());

    /** Copies. */
    public Loaded {
      embeddings = List.copyOf(embeddings);
      files = Map.copyOf(files);
      problems = List.copyOf(problems);
    }

    /**
     * A1111's {@code TI hashes} of {@code used} (what {@code Generator.embeddingsIn} returns): name to
     * the first 12 hex digits of the file's SHA-256 ({@link ModelLibrary#shortHash(ModelKind, Path,
     * FileHashes)}), in order; embeddings not loaded from a file here are left out.
     *
     * @throws IOException when a file cannot be read for its hash
     */
    public Map<String, String> tiHashes(List<TextualInversion> used, FileHashes hashes) throws IOException {
      Map<String, String> out = new LinkedHashMap<>();
      for (TextualInversion t : used) {
        Path f = files.get(t.name());
        if (f != null) {
          out.put(t.name(), ModelLibrary.shortHash(ModelKind.EMBEDDING, f, hashes));
        }
      }
      return out;
    }
  }

  /**
   * Reads the embeddings folder of {@code library} ({@link #readAll(List)}); {@link Loaded#NONE}
   * when it has none.
   *
   * @throws IOException when the folder cannot be listed
   */
  public static Loaded readAll(ModelLibrary library) throws IOException {
    return library.folder(ModelKind.EMBEDDING).isEmpty() ? Loaded.NONE : readAll(library.list(ModelKind.EMBEDDING));
  }

  /**
   * Reads every entry of {@code entries} (a library's {@link ModelKind#EMBEDDING} listing), each
   * named by its file name without extension. A file that cannot be read, or whose name (ignoring
   * case) an earlier file already has, becomes a problem line instead of failing the others.
   */
  public static Loaded readAll(List<ModelEntry> entries) {
    List<TextualInversion> out = new ArrayList<>();
    Map<String, Path> files = new HashMap<>();
    Map<String, Path> byLowerName = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (ModelEntry e : entries) {
      if (e.kind() != ModelKind.EMBEDDING) {
        throw new IllegalArgumentException(e.file() + " is a " + e.kind().label() + ", not an embedding");
      }
      String name = stem(e.file());
      Path taken = byLowerName.get(name.toLowerCase(Locale.ROOT));
      if (taken != null) {
        problems.add("embedding " + e.file() + " skipped: " + taken + " already has the name '" + name + "'");
        continue;
      }
      try {
        TextualInversion ti = read(e.file(), name);
        out.add(ti);
        files.put(name, e.file());
        byLowerName.put(name.toLowerCase(Locale.ROOT), e.file());
      } catch (IOException | RuntimeException ex) {
        problems.add("embedding " + e.file() + " skipped: " + ex.getMessage());
      }
    }
    return new Loaded(out, files, problems);
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
