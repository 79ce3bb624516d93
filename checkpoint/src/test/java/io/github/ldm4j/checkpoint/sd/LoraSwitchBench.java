package io.github.ldm4j.checkpoint.sd;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.github.ldm4j.backend.onnx.internal.OrtRuntime;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.WeightOverrides;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Benchmark (run by {@code app/bench/lora-switch-bench.sh}, never by the test suite) of switching LoRA
 * sets on the full-size SD 1.5 architecture ({@link FullSizeCheckpointCommand}'s seeded random
 * checkpoint): writes three random kohya-format LoRAs over it (A: rank 16 on every attention,
 * feed-forward and projection layer of the UNet and every attention / MLP layer of the text
 * encoder, the layers kohya's sd-scripts train by default; B: the same at rank 32; C: UNet attention
 * only, rank 8), then in one process: the base model's open and one generation; A's merge alone;
 * switches through {@link CheckpointGenerators} (first use, cached, evicted; time and RSS; cache
 * bound {@code -Dbench.cacheGiB}, default 6); the old path (conversion with the set merged, then
 * opening it). {@code ort MODE …} measures what ONNX Runtime holds per UNet session (below).
 *
 * <p>Usage: {@code LoraSwitchBench CHECKPOINT WORK_DIR [SIZE=256] [STEPS=2]}; the ldm4j home
 * ({@code LDM4J_HOME}) holds the conversions.
 */
public final class LoraSwitchBench {

  private static final Pattern UNET = Pattern.compile(
      ".*attentions\\.\\d+\\.(proj_in|proj_out|transformer_blocks\\.\\d+\\.(attn[12]\\.(to_q|to_k|to_v|to_out\\.0)|ff\\.net\\.(0\\.proj|2)))");
  private static final Pattern UNET_ATTN = Pattern.compile(".*attn[12]\\.(to_q|to_k|to_v|to_out\\.0)");
  private static final Pattern TEXT = Pattern.compile(".*(self_attn\\.(q_proj|k_proj|v_proj|out_proj)|mlp\\.(fc1|fc2))");

  /** The latent side of the ONNX Runtime section's UNet steps (32: 256×256 images). */
  private static final int LATENT = 32;

  private LoraSwitchBench() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("ort")) {
      ortOnly(args[1], Path.of(args[2]), Path.of(args[3]));
      return;
    }
    Path ckpt = Path.of(args[0]);
    Path work = Files.createDirectories(Path.of(args[1]));
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    Path a = work.resolve("lora-a.safetensors");
    Path b = work.resolve("lora-b.safetensors");
    Path c = work.resolve("lora-c.safetensors");
    try (StateDict dict = StateDicts.open(ckpt)) {
      SdCheckpoint sd = SdCheckpoint.of(dict);
      writeLora(sd, a, 16, UNET, true, 11);
      writeLora(sd, b, 32, UNET, true, 12);
      writeLora(sd, c, 8, UNET_ATTN, false, 13);
    }
    LoraSet setA = new LoraSet(List.of(new AppliedLora(a, 0.8)));
    LoraSet setB = new LoraSet(List.of(new AppliedLora(b, 0.6)));
    LoraSet setC = new LoraSet(List.of(new AppliedLora(c, 1)));
    System.out.printf("LoRA files: A %.1f MB (rank 16, UNet + text), B %.1f MB (rank 32, UNet + text), C %.1f MB (rank 8, UNet attention)%n",
        Files.size(a) / 1e6, Files.size(b) / 1e6, Files.size(c) / 1e6);
    System.out.printf("generation: %d×%d, %d steps, euler, guidance 7.5; RSS = anon + file (MiB)%n", size, size, steps);

    CheckpointFolders.Request request = CheckpointFolders.Request.defaults(ckpt);
    long bound = (long) (Double.parseDouble(System.getProperty("bench.cacheGiB", "6")) * (1L << 30));
    System.out.printf("cache bound %.1f GiB%n", bound / (double) (1L << 30));
    Rss r0 = Rss.now();
    long t = System.nanoTime();
    try (CheckpointGenerators gens = CheckpointGenerators.open(request, "onnx", BackendOptions.DEFAULTS,
        GenerationLimits.DEFAULTS, bound)) {
      report("open base (its conversion cached)", t, r0);
      Rss r = Rss.now();
      t = System.nanoTime();
      generate(gens.base(), size, steps);
      report("generate, base", t, r);
      r = Rss.now();
      t = System.nanoTime();
      try (WeightOverrides merged = LoraOverrides.of(request.withLoras(setA))) {
        report(String.format("merge A alone (%.0f MiB of weights)", merged.bytes() / 1048576.0), t, r);
      }
      for (String label : List.of("A first use", "A cached", "C first use (UNet only)", "C cached", "A again (evicted)")) {
        LoraSet set = label.startsWith("A") ? setA : label.startsWith("B") ? setB : setC;
        r = Rss.now();
        t = System.nanoTime();
        try (CheckpointGenerators.Lease l = gens.acquire(set)) {
          report("switch to " + label, t, r);
          System.out.printf("%-52s (cache: %d sets, %.0f MiB counted)%n", "", gens.cachedSets(), gens.cachedBytes() / 1048576.0);
          if (label.equals("A first use")) {
            long g = System.nanoTime();
            generate(l.generator(), size, steps);
            System.out.printf("%-52s %8.2f s%n", "  then generate with A", (System.nanoTime() - g) / 1e9);
          }
        }
      }
    }
    // the old path: every set a conversion of its own, opened as a whole model (into a fresh home, deleted after)
    Path oldHome = work.resolve("old-path-home");
    deleteTree(oldHome);
    System.setProperty("ldm4j.home", oldHome.toString());
    for (LoraSet set : List.of(setA, setB)) {
      t = System.nanoTime();
      Path folder = CheckpointFolders.cached(request.withLoras(set));
      System.out.printf("%-52s %8.2f s%n", "old path: convert with the set merged", (System.nanoTime() - t) / 1e9);
      long o = System.nanoTime();
      try (Generator g = ModelAssembler.open(folder, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
        System.out.printf("%-52s %8.2f s%n", "old path: open the converted model", (System.nanoTime() - o) / 1e9);
      }
    }
    deleteTree(oldHome);
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    if (Files.exists(dir)) {
      try (var s = Files.walk(dir)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /**
   * What ONNX Runtime holds per UNet session, in a fresh process ({@code LoraSwitchBench ort MODE
   * CHECKPOINT WORK_DIR}, MODE {@code file|mmap}-{@code prepack|noprepack}): the base UNet session
   * (weights read from the folder by ONNX Runtime, or all given as tensors over one mapping of the
   * data file), then a second with set A's merged weights injected (the rest as the first got them),
   * with ONNX Runtime's prepacking on or off ({@code session.disable_prepacking}); one 256×256 step of each.
   */
  static void ortOnly(String mode, Path ckpt, Path work) throws Exception {
    CheckpointFolders.Request request = CheckpointFolders.Request.defaults(ckpt);
    LoraSet setA = new LoraSet(List.of(new AppliedLora(work.resolve("lora-a.safetensors"), 0.8)));
    Path unet = CheckpointFolders.cached(request).resolve("unet/model.onnx");
    boolean mmap = mode.startsWith("mmap");
    boolean prepack = mode.endsWith("-prepack");
    OrtEnvironment env = OrtRuntime.environment();
    try (WeightOverrides merged = LoraOverrides.of(request.withLoras(setA)); Arena arena = Arena.ofShared()) {
      Map<String, OnnxTensor> base = mmap ? mapped(env, unet, arena) : new HashMap<>();
      Map<String, OnnxTensor> own = new HashMap<>();
      for (WeightOverrides.Weight w : merged.of(ModelComponent.UNET)) {
        own.put(w.name(), OnnxTensor.createTensor(env, w.data().asByteBuffer().order(java.nio.ByteOrder.nativeOrder()),
            w.shape(), ai.onnxruntime.OnnxJavaType.FLOAT));
      }
      Map<String, OnnxTensor> withA = new HashMap<>(base);
      withA.putAll(own);
      String how = mode + ": ";
      Rss r = Rss.now();
      long t = System.nanoTime();
      try (OrtSession first = session(env, unet, prepack, base)) {
        report(how + "base UNet session", t, r);
        System.out.printf("%-52s %8.2f s%n", how + "  its 256×256 step (batch 2)", ortStep(env, first));
        Rss r2 = Rss.now();
        t = System.nanoTime();
        try (OrtSession second = session(env, unet, prepack, withA)) {
          report(how + "  + a session with A's UNet weights", t, r2);
          System.out.printf("%-52s %8.2f s%n", how + "  its 256×256 step (batch 2)", ortStep(env, second));
        }
      } finally {
        base.values().forEach(OnnxTensor::close);
        own.values().forEach(OnnxTensor::close);
      }
    }
  }

  /**
   * Every external initializer of {@code unet} as a tensor over one read-only mapping of its data
   * file (closed with {@code arena}), so sessions given them share the file's pages.
   */
  static Map<String, OnnxTensor> mapped(OrtEnvironment env, Path unet, Arena arena) throws Exception {
    List<io.github.ldm4j.folder.onnx.OnnxModelIndex.ExternalTensor> ext =
        io.github.ldm4j.folder.onnx.OnnxModelIndex.read(unet, io.github.ldm4j.folder.onnx.OnnxModelIndex::externalInitializers);
    Map<String, OnnxTensor> out = new HashMap<>();
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(ext.getFirst().file())) {
      MemorySegment all = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
      for (var t : ext) {
        java.nio.ByteBuffer b = all.asSlice(t.offset(), t.length()).asByteBuffer().order(java.nio.ByteOrder.nativeOrder());
        out.put(t.name(), OnnxTensor.createTensor(env, b, t.dims(),
            t.dataType() == 10 ? ai.onnxruntime.OnnxJavaType.FLOAT16 : ai.onnxruntime.OnnxJavaType.FLOAT));
      }
    }
    return out;
  }

  private static OrtSession session(OrtEnvironment env, Path unet, boolean prepack, Map<String, OnnxTensor> replaced)
      throws Exception {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (!prepack) {
        so.addConfigEntry("session.disable_prepacking", "1");
      }
      if (!replaced.isEmpty()) {
        so.addExternalInitializers(Map.copyOf(replaced));
      }
      return env.createSession(unet.toString(), so);
    }
  }

  private static double ortStep(OrtEnvironment env, OrtSession s) throws Exception {
    Tensor x = RngKind.TORCH.create(1).randn(Shape.of(2, 4, LATENT, LATENT));
    Tensor ctx = RngKind.TORCH.create(2).randn(Shape.of(2, 77, 768));
    try (OnnxTensor xs = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x.toArray()), new long[] {2, 4, LATENT, LATENT});
        OnnxTensor ts = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(new float[] {500f}), new long[] {1});
        OnnxTensor cs = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(ctx.toArray()), new long[] {2, 77, 768})) {
      Map<String, OnnxTensor> feeds = new HashMap<>();
      for (String name : s.getInputNames()) {
        feeds.put(name, name.contains("sample") ? xs : name.contains("encoder") ? cs : ts);
      }
      long t = System.nanoTime();
      try (OrtSession.Result res = s.run(feeds)) {
        return (System.nanoTime() - t) / 1e9;
      }
    }
  }

  private static void generate(Generator g, int size, int steps) {
    GenerationSettings s = GenerationSettings.builder().size(size, size).steps(steps).sampler("euler", "karras")
        .seed(1, RngKind.TORCH).build();
    g.generate(new GenerationRequest.TextToImage("a watercolor fox", "", s));
  }

  private static void report(String what, long t0, Rss before) {
    Rss now = Rss.now();
    System.out.printf("%-52s %8.2f s   RSS %+7.0f MiB (anon %+7.0f, file %+7.0f) → %6.0f MiB%n", what,
        (System.nanoTime() - t0) / 1e9, now.total() - before.total(), now.anon() - before.anon(), now.file() - before.file(),
        now.total());
  }

  /** Resident memory from /proc/self/status, MiB. */
  private record Rss(double anon, double file) {
    double total() {
      return anon + file;
    }

    static Rss now() {
      try {
        double anon = 0;
        double file = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("RssAnon:")) {
            anon = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
          } else if (line.startsWith("RssFile:") || line.startsWith("RssShmem:")) {
            file += Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
          }
        }
        return new Rss(anon, file);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** A random kohya-format LoRA (fp16 halves, fp16 alpha = rank / 2) on the modules {@code unet} / {@link #TEXT} match. */
  private static void writeLora(SdCheckpoint sd, Path file, int rank, Pattern unet, boolean text, long seed) throws Exception {
    if (Files.exists(file)) {
      return;
    }
    SdArchitecture a = sd.architecture();
    SafetensorsWriter w = new SafetensorsWriter();
    SplittableRandom rnd = new SplittableRandom(seed);
    Arena arena = Arena.ofConfined();
    try (arena) {
      Map<String, String> modules = new java.util.TreeMap<>();
      CompVisNames.unet(a.unet()).keySet().stream().filter(m -> unet.matcher(m).matches())
          .forEach(m -> modules.put(m, "lora_unet_" + m.replace('.', '_')));
      if (text) {
        CompVisNames.text(sd.storedText(a.text())).keySet().stream().filter(m -> TEXT.matcher(m).matches())
            .forEach(m -> modules.put(m, "lora_te_" + m.replace('.', '_')));
      }
      for (Map.Entry<String, String> e : modules.entrySet()) {
        long[] shape = sd.storedWeight(a, SdCheckpoint.UNetWeights.MODEL, e.getKey()).orElseThrow().shape();
        boolean conv = shape.length == 4;
        long[] down = conv ? new long[] {rank, shape[1], shape[2], shape[3]} : new long[] {rank, shape[1]};
        long[] up = conv ? new long[] {shape[0], rank, 1, 1} : new long[] {shape[0], rank};
        w.add(e.getValue() + ".lora_down.weight", DType.F16, down, halves(arena, down, 0.1, rnd));
        w.add(e.getValue() + ".lora_up.weight", DType.F16, up, halves(arena, up, 0.01, rnd));
        MemorySegment alpha = arena.allocate(2);
        alpha.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, Float.floatToFloat16(rank / 2f));
        w.add(e.getValue() + ".alpha", DType.F16, new long[0], alpha);
      }
      w.write(file);
    }
  }

  private static MemorySegment halves(Arena arena, long[] shape, double bound, SplittableRandom rnd) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    MemorySegment s = arena.allocate(n * 2);
    for (long i = 0; i < n; i++) {
      s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16((float) ((rnd.nextDouble() * 2 - 1) * bound)));
    }
    return s;
  }
}
