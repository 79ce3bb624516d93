package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.Backends;
import io.github.ldm4j.spi.WeightOverrides;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A checkpoint opened for generation with any set of LoRAs, converting it once.
 *
 * <p><b>How a LoRA set is applied.</b> The checkpoint is converted once, without LoRAs ({@link
 * CheckpointFolders#cached}); a set's merged weights are computed for the parameters it touches only
 * ({@link LoraOverrides}: {@code W + m · (alpha / r) · up · down}, the conversion's merge, keyed by the
 * ONNX initializer names of ldm4j's exporter) and handed to the runtime when the networks they belong
 * to are opened ({@link Generator#withWeights}: on ONNX Runtime {@code
 * SessionOptions.addExternalInitializers}, which injects them into the graph before it is optimised,
 * so the session computes exactly what a session of the conversion with the LoRAs merged computes). Only the affected sessions are created: a LoRA
 * with UNet keys only (or a text-encoder multiplier of 0) leaves the text encoder alone, and the VAE
 * is always shared. Why not something cheaper: ONNX Runtime fixes a session's initializers when it
 * creates it (constant folding, layout transforms, prepacking depend on them), so new weights need a
 * new session; feeding the weights as graph inputs instead would keep one session for every set but
 * make every touched weight a non-constant (no prepacking, no NCHWc convolution), slowing each step
 * of every generation, LoRA or not. The unaffected weights of a re-opened network are read again
 * from the (page-cached) folder: giving every session all its weights as tensors over one shared
 * mapping of the data file was measured and shares nothing — ONNX Runtime 1.29 keeps its own copy
 * of (nearly) every UNet weight per session whatever it is given, with prepacking on or off — so a
 * re-opened UNet costs about its weights again ({@code docs/benchmarks.md}, "switching LoRA sets").
 *
 * <p><b>Cache.</b> {@link #acquire} keeps each set's generator (its merged weights and the sessions
 * opened with them) in a least-recently-used cache bounded by memory: each set counts the bytes of
 * its merged weights plus those of the networks re-opened for it (ONNX Runtime holds a copy of a
 * session's weights per session; {@link #DEFAULT_CACHE_BYTES}, the one default), so alternating
 * between two sets merges and opens each once. The latest set always stays, even above the bound. A set
 * whose multipliers are all 0, or which touches no computed weight, is the base model itself, bit
 * for bit. Concurrent acquisitions of one set merge it once; generations with different sets run
 * at the same time, each with its own sessions.
 *
 * <p><b>Backends that cannot replace weights</b> (OpenVINO: its C API cannot replace a read model's
 * constants; {@link io.github.ldm4j.spi.BackendProvider#overridesWeights()}), <b>and int8
 * conversions</b> ({@link io.github.ldm4j.export.folder.Precision#int8Weights()}: int8 and int8-linear; a LoRA's delta cannot be added
 * to weights already rounded to int8, so it is merged into the float weights before they are
 * quantized): each set falls back to the conversion with the LoRAs merged (a cached folder per set,
 * as before), opened per lease and not kept.
 *
 * <p><b>Ownership:</b> owns the base generator and every cached one; {@link #close()} closes them all,
 * once (later calls do nothing). A {@link Lease} keeps its generator open until released, even when
 * the cache evicts it meanwhile; release leases before closing this.
 */
public final class CheckpointGenerators implements AutoCloseable {

  /**
   * The default bound of the memory the cache keeps: 12 GiB, two sets that touch every attention,
   * feed-forward and projection weight of SD 1.5's UNet and text encoder in float32 (1.3 GiB of
   * merged weights and 3.7 GiB of re-opened sessions each), or many UNet-attention-only ones.
   */
  public static final long DEFAULT_CACHE_BYTES = 12L << 30;

  private final CheckpointFolders.Request base;
  private final java.nio.file.Path baseFolder;
  private final String backend;
  private final BackendOptions options;
  private final GenerationLimits limits;
  private final long maxBytes;
  private final boolean overrides;
  private final Generator baseGenerator;
  private final LinkedHashMap<String, Entry> cache = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;
  private boolean closed;

  private CheckpointGenerators(CheckpointFolders.Request base, java.nio.file.Path baseFolder, String backend,
      BackendOptions options, GenerationLimits limits, long maxBytes, boolean overrides, Generator baseGenerator) {
    this.base = base;
    this.baseFolder = baseFolder;
    this.backend = backend;
    this.options = options;
    this.limits = limits;
    this.maxBytes = maxBytes;
    this.overrides = overrides;
    this.baseGenerator = baseGenerator;
  }

  /**
   * One generator of {@code request}'s checkpoint with its LoRAs ({@code request.export().loras()}):
   * the conversion without LoRAs (cached) opened with the set's merged weights replacing the
   * converted ones, so a new set costs its merge, not a conversion; on backends that cannot replace
   * weights, and for an int8 conversion, the conversion with the LoRAs merged ({@link #folder}). The
   * caller owns the generator.
   *
   * @throws IOException naming the checkpoint or LoRA file that cannot be read or does not fit
   * @throws IllegalArgumentException for an unknown backend or an unsupported model or option
   */
  public static Generator open(CheckpointFolders.Request request, String backend, BackendOptions options,
      GenerationLimits limits) throws IOException {
    return open(request, backend, options, limits, List.of());
  }

  /**
   * {@link #open(CheckpointFolders.Request, String, BackendOptions, GenerationLimits)} with
   * textual-inversion {@code embeddings} prompts may name ({@link ModelAssembler#open(java.nio.file.Path,
   * String, BackendOptions, GenerationLimits, java.util.function.Function, List, WeightOverrides)}).
   */
  public static Generator open(CheckpointFolders.Request request, String backend, BackendOptions options,
      GenerationLimits limits, List<TextualInversion> embeddings) throws IOException {
    Objects.requireNonNull(request, "request");
    java.nio.file.Path folder = folder(request, backend, options);
    if (!appliesAtLoadTime(request, backend, options)) {
      return ModelAssembler.open(folder, backend, options, limits, Backends::find, embeddings, WeightOverrides.NONE);
    }
    return ModelAssembler.open(folder, backend, options, limits, Backends::find, embeddings, LoraOverrides.of(request));
  }

  /**
   * The converted folder {@link #open(CheckpointFolders.Request, String, BackendOptions, GenerationLimits,
   * List)} opens for {@code request} (written now if missing): the conversion without LoRAs when its
   * LoRAs are applied at load time, else (a backend that cannot replace weights, an int8 conversion)
   * the conversion with them merged.
   *
   * @throws IOException naming the checkpoint when it cannot be read or is not a supported model
   */
  public static java.nio.file.Path folder(CheckpointFolders.Request request, String backend, BackendOptions options)
      throws IOException {
    Objects.requireNonNull(request, "request");
    return CheckpointFolders.cached(appliesAtLoadTime(request, backend, options) ? request.withLoras(LoraSet.NONE) : request);
  }

  /** Whether {@code request}'s LoRAs are applied at load time to its conversion without them. */
  private static boolean appliesAtLoadTime(CheckpointFolders.Request request, String backend, BackendOptions options) {
    return !request.export().loras().isEmpty() && mergesAtLoadTime(request, backend, options);
  }

  /**
   * Whether LoRAs are applied to {@code request}'s conversion at load time: its text encoder's and
   * UNet's backends replace weights, and its UNet weights are not int8 (to which a LoRA cannot be
   * added afterwards).
   */
  private static boolean mergesAtLoadTime(CheckpointFolders.Request request, String backend, BackendOptions options) {
    return overridesWeights(backend, options) && !request.export().precision().int8Weights();
  }

  /**
   * The model folder {@code folder} opened for generation with {@code loras} applied at load time:
   * a folder ldm4j converted ({@link ConvertedFolder}) with the LoRAs' merged weights replacing its own
   * ({@link LoraOverrides#ofFolder}, the checkpoint path's merge over the folder's values); with no
   * LoRA, the folder as it is. The caller owns the generator.
   *
   * @throws io.github.ldm4j.checkpoint.CheckpointFormatException naming the folder when its weights
   *     cannot be mapped to the checkpoint's layers (then LoRAs need the checkpoint file), or a LoRA
   *     file that does not fit
   * @throws IllegalArgumentException for an unknown backend, or one that cannot replace weights
   *     at load time (the text encoder's or UNet's), naming it
   */
  public static Generator openFolder(java.nio.file.Path folder, LoraSet loras, String backend, BackendOptions options,
      GenerationLimits limits, List<TextualInversion> embeddings) throws IOException {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(loras, "loras");
    if (loras.isEmpty()) {
      return ModelAssembler.open(folder, backend, options, limits, Backends::find, embeddings, WeightOverrides.NONE);
    }
    if (!overridesWeights(backend, options)) {
      throw new IllegalArgumentException("LoRAs are applied to the model folder " + folder + " at load time, which the "
          + "text encoder's or UNet's backend (" + backend + ") cannot do: use ONNX Runtime, or give the checkpoint file");
    }
    return ModelAssembler.open(folder, backend, options, limits, Backends::find, embeddings,
        LoraOverrides.ofFolder(folder, loras));
  }

  /**
   * Opens {@code request}'s checkpoint (converted without LoRAs, cached) for generation with any
   * LoRA set, sets cached up to {@code maxBytes} bytes (each counts its merged weights and the
   * weights of the networks re-opened for it, which ONNX Runtime holds per session). {@code
   * request.export().loras()} is ignored: each {@link #acquire} names its set.
   *
   * @throws IOException naming the checkpoint when it cannot be read or converted
   * @throws IllegalArgumentException for an unknown backend, an unsupported model or option, or
   *     {@code maxBytes} &lt; 0
   */
  public static CheckpointGenerators open(CheckpointFolders.Request request, String backend, BackendOptions options,
      GenerationLimits limits, long maxBytes) throws IOException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(limits, "limits");
    if (maxBytes < 0) {
      throw new IllegalArgumentException("the LoRA cache bound must be >= 0 bytes, got " + maxBytes);
    }
    CheckpointFolders.Request plain = request.withLoras(LoraSet.NONE);
    java.nio.file.Path folder = CheckpointFolders.cached(plain);
    Generator g = ModelAssembler.open(folder, backend, options, limits);
    return new CheckpointGenerators(plain, folder, backend, options, limits, maxBytes,
        mergesAtLoadTime(plain, backend, options), g);
  }

  /** Whether the backends of the text encoder and the UNet replace weights at load time. */
  private static boolean overridesWeights(String backend, BackendOptions options) {
    for (ModelComponent c : List.of(ModelComponent.TEXT_ENCODER, ModelComponent.UNET)) {
      if (!Backends.find(options.placementFor(c, backend).backend()).overridesWeights()) {
        return false;
      }
    }
    return true;
  }

  /** The generator without LoRAs (owned by this). */
  public Generator base() {
    return baseGenerator;
  }

  /** How many merged sets the cache holds. */
  public synchronized int cachedSets() {
    return cache.size();
  }

  /** The memory the cached sets hold: their merged weights and their re-opened sessions' weights. */
  public synchronized long cachedBytes() {
    return bytes;
  }

  /**
   * The generator of {@code loras} (its files' size and modification time are part of the cache
   * key, so an edited file is merged again), held until the lease is released: from the cache, or
   * merged and opened now (and cached), or the base generator when the set changes no weight.
   *
   * @throws IOException naming a LoRA file that cannot be read, is not a LoRA ldm4j merges, has
   *     unmapped keys or does not fit the checkpoint
   * @throws IllegalStateException after {@link #close()}
   */
  public Lease acquire(LoraSet loras) throws IOException {
    Objects.requireNonNull(loras, "loras");
    List<io.github.ldm4j.checkpoint.lora.AppliedLora> active = new ArrayList<>(loras.loras());
    active.removeIf(l -> l.teMultiplier() == 0 && l.unetMultiplier() == 0);
    if (active.isEmpty()) {
      requireOpen();
      return new Lease(baseGenerator, null);
    }
    LoraSet set = new LoraSet(active);
    if (!overrides) {
      requireOpen();
      Generator g = ModelAssembler.open(CheckpointFolders.cached(base.withLoras(set)), backend, options, limits);
      return new Lease(g, g);
    }
    String key = set.identity();
    Entry entry;
    boolean load;
    synchronized (this) {
      requireOpen();
      entry = cache.get(key);
      load = entry == null;
      if (load) {
        entry = new Entry(key);
        cache.put(key, entry);
      }
      entry.leases++;
    }
    if (load) {
      long cost = 0;
      try {
        WeightOverrides merged = LoraOverrides.of(base.withLoras(set));
        try {
          cost = merged.bytes() + sessionBytes(merged);
        } catch (IOException | RuntimeException e) {
          merged.close();
          throw e;
        }
        // make room before the sessions are opened, so the old sets' memory is freed first
        List<Entry> evicted;
        synchronized (this) {
          entry.bytes = cost;
          bytes += cost;
          evicted = evict(entry);
        }
        evicted.forEach(Entry::close);
        Generator g = merged.isEmpty() ? baseGenerator : baseGenerator.withWeights(merged);
        entry.generator.complete(g);
      } catch (IOException | RuntimeException e) {
        synchronized (this) {
          if (cache.remove(key, entry)) {
            bytes -= entry.bytes;
          }
          entry.leases--;
        }
        entry.generator.completeExceptionally(e);
        throw e;
      }
    }
    try {
      return new Lease(entry.generator.join(), entry);
    } catch (CompletionException e) {
      synchronized (this) {
        entry.leases--;
      }
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw new IOException(io.getMessage(), io);
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new UncheckedIOException(new IOException(c));
    }
  }

  /**
   * What the sessions re-opened for {@code merged} hold: the weight files of their networks (ONNX
   * Runtime keeps its own copy of every weight per session — read, prepacked or re-laid-out — so a
   * re-opened UNet costs about its weights again; measured in {@code docs/benchmarks.md}).
   */
  private long sessionBytes(WeightOverrides merged) throws IOException {
    long total = 0;
    for (ModelComponent c : merged.components()) {
      java.nio.file.Path dir = baseFolder.resolve(c.folderName());
      for (String f : List.of("model.onnx", io.github.ldm4j.export.onnx.OnnxModelWriter.EXTERNAL_DATA_FILE)) {
        java.nio.file.Path p = dir.resolve(f);
        if (java.nio.file.Files.isRegularFile(p)) {
          total += java.nio.file.Files.size(p);
        }
      }
    }
    return total;
  }

  /** Removes least recently used entries (never {@code keep}) until the bound holds; returns those to close now. */
  private List<Entry> evict(Entry keep) {
    List<Entry> close = new ArrayList<>();
    for (Iterator<Map.Entry<String, Entry>> it = cache.entrySet().iterator(); it.hasNext() && bytes > maxBytes; ) {
      Entry e = it.next().getValue();
      if (e == keep || !e.generator.isDone()) {
        continue;
      }
      it.remove();
      bytes -= e.bytes;
      e.evicted = true;
      if (e.leases == 0) {
        close.add(e);
      }
    }
    return close;
  }

  private void requireOpen() {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the checkpoint's generators are closed");
      }
    }
  }

  private void release(Entry e) {
    boolean close;
    synchronized (this) {
      e.leases--;
      close = e.evicted && e.leases == 0;
    }
    if (close) {
      e.close();
    }
  }

  /** Closes every cached generator, then the base one; idempotent. */
  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      for (Entry e : cache.values()) {
        e.evicted = true;
        all.add(e::close);
      }
      cache.clear();
      bytes = 0;
    }
    all.add(baseGenerator);
    RuntimeException f = io.github.ldm4j.spi.NetworkSet.closeAll("closing the checkpoint's generators", all);
    if (f != null) {
      throw f;
    }
  }

  /** One cached set: its generator (completed once merged and opened) and its leases. */
  private final class Entry {
    final String key;
    final CompletableFuture<Generator> generator = new CompletableFuture<>();
    long bytes;
    int leases;
    boolean evicted;
    private boolean done;

    Entry(String key) {
      this.key = key;
    }

    void close() {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
      }
      Generator g = generator.getNow(null);
      if (g != null && g != baseGenerator) {
        g.close();
      }
    }
  }

  /**
   * A generator held for use: released by {@link #close()} (idempotent), after which a cache-evicted
   * set's generator is closed. Do not close the generator itself.
   */
  public final class Lease implements AutoCloseable {
    private final Generator generator;
    private final Object owner;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    private Lease(Generator generator, Object owner) {
      this.generator = generator;
      this.owner = owner;
    }

    /** The generator with the set's weights. */
    public Generator generator() {
      return generator;
    }

    /** Releases the generator. */
    @Override
    public void close() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      switch (owner) {
        case null -> { }
        case Entry e -> release(e);
        case Generator g -> g.close();
        default -> throw new IllegalStateException("unknown lease owner " + owner);
      }
    }
  }
}
