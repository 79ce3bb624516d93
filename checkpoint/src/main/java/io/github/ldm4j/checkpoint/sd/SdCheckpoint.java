package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.TensorValues;
import io.github.ldm4j.export.sd.ParameterSpec;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.SdGraphs;
import io.github.ldm4j.export.sd.TextEncoderArchitecture;
import io.github.ldm4j.export.sd.UNetArchitecture;
import io.github.ldm4j.export.sd.VaeArchitecture;
import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.model.ConditioningKey;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Stable Diffusion 1.x or 2.x checkpoint in the CompVis layout, read from a {@link StateDict}: its
 * architecture detected from the keys and shapes (no YAML), and its tensors as the {@link Weights}
 * of ldm4j's graphs ({@link CompVisNames} maps the names; shapes are adapted: PyTorch linear
 * weights {@code [out, in]} are read transposed into the graphs' {@code [in, out]}, norm vectors
 * {@code [C]} as {@code [C, 1, 1]}, the VAE attention's 1×1 convolutions as linear weights,
 * OpenCLIP's fused {@code in_proj} as its q, k, v row blocks; F16, BF16 and F64 are converted to
 * float32 in bulk runs (transposed matrices in row blocks) as the graph is written, straight from the mapped file).
 *
 * <p>What shapes cannot tell follows the family's rules ({@link Hints} override them): SD 1.x —
 * 8 UNet attention heads, OpenAI CLIP text (QuickGELU, last layer); SD 2.x (an OpenCLIP text tower
 * under {@code cond_stage_model.model.}) — 64 channels per UNet head, OpenCLIP text (GELU, the
 * penultimate layer through {@code ln_final}, as SD 2's {@code FrozenOpenCLIPEmbedder}); both —
 * CLIP heads = width / 64, GroupNorm with 32 groups, the end-of-text id the last of the vocabulary;
 * linear or 1×1-convolution transformer projections are read from the shapes. Keys may carry a
 * {@code module.} prefix (as DataParallel saves them). Other families fail with what was detected:
 * SDXL, SD3/Flux, a LoRA or a VAE file given as a model. Whether a UNet predicts eps or v cannot be
 * read from a checkpoint: {@link SdFolderExport#prediction()} says it.
 *
 * <p>The {@link #conditioningKey() conditioning key} is read from the UNet's tensors by {@link
 * ConditioningKey#of} (the rule ldm4j applies to the exported folder too): cross-attention with as
 * many input as output channels is {@code crossattn}, with the 9 channels of inpainting (latent ‖
 * mask ‖ masked-image latent) {@code hybrid}. A key the config states ({@link Hints}) must agree;
 * UNets without cross-attention ({@code concat}, unconditional) and other concatenated inputs (SD 2
 * depth's 5 channels) are refused: ldm4j's concatenated conditioning is inpainting's.
 *
 * <p>Does not own the state dict: the caller closes it after the graphs are written.
 */
public final class SdCheckpoint {

  /** The model family detected. */
  public enum Family {
    /** SD 1.x: OpenAI CLIP ViT-L/14 text encoder (transformers layout), 8 UNet heads, 1×1-conv projections. */
    SD1,
    /** SD 2.x: OpenCLIP ViT-H/14 text tower (penultimate layer), 64 channels per UNet head, linear projections. */
    SD2
  }

  /**
   * What a checkpoint's tensors cannot tell, for models that break their family's rules (an
   * inference config's {@code num_head_channels} / {@code num_heads}), and the conditioning key the
   * config states, which the tensors must agree with.
   *
   * @param unetHeadChannels channels per UNet attention head (SD 2.x rule: 64)
   * @param unetHeads a fixed number of UNet attention heads (SD 1.x rule: 8)
   * @param conditioningKey the conditioning key stated ({@code model.params.conditioning_key}), if any
   */
  public record Hints(OptionalInt unetHeadChannels, OptionalInt unetHeads, Optional<ConditioningKey> conditioningKey) {
    /** The family's rules. */
    public static final Hints NONE = new Hints(OptionalInt.empty(), OptionalInt.empty());

    /** Head hints only: the conditioning key is read from the tensors. */
    public Hints(OptionalInt unetHeadChannels, OptionalInt unetHeads) {
      this(unetHeadChannels, unetHeads, Optional.empty());
    }

    /** Validates. */
    public Hints {
      Objects.requireNonNull(unetHeadChannels, "unetHeadChannels");
      Objects.requireNonNull(unetHeads, "unetHeads");
      Objects.requireNonNull(conditioningKey, "conditioningKey");
    }
  }

  /** Which UNet weights to read. */
  public enum UNetWeights {
    /** The trained weights ({@code model.diffusion_model.*}), as CompVis' {@code v1-inference.yaml} ({@code use_ema: False}). */
    MODEL,
    /** The EMA copy ({@code model_ema.*}, CompVis {@code LitEma} names: the module path with its dots removed). */
    EMA
  }

  /** The conditioning keys ldm4j converts, for messages. */
  static final String CONVERTED_KEYS = "crossattn (SD 1.x / 2.x) and hybrid (their 9-channel inpainting UNets)";

  private static final int SD1_UNET_HEADS = 8;
  private static final int SD2_UNET_HEAD_CHANNELS = 64;
  private static final int CLIP_HEAD_WIDTH = 64;
  private static final int NORM_GROUPS = 32;

  private final StateDict dict;
  private final String prefix;
  private final String textLevel;
  private final SdArchitecture architecture;
  private final Family family;
  private final ConditioningKey conditioningKey;
  private final Source vae;

  /** Where a group of keys is read: a state dict and the prefix its keys carry. */
  private record Source(StateDict dict, String prefix) {}

  /** A key of a source, or row block {@code part} of {@code parts} of it (a fused q/k/v projection). */
  private record Located(Source source, String key, int part, int parts) {
    Located(Source source, String key) {
      this(source, key, 0, 1);
    }

    TensorEntry entry() {
      return source.dict().entries().get(key);
    }
  }

  private static final Pattern PART = Pattern.compile("(.*)\\[(\\d+)/(\\d+)]");

  private SdCheckpoint(StateDict dict, String prefix, String textLevel, SdArchitecture architecture, Family family,
      ConditioningKey conditioningKey, Source vae) {
    this.dict = dict;
    this.family = family;
    this.conditioningKey = conditioningKey;
    this.prefix = prefix;
    this.textLevel = textLevel;
    this.architecture = architecture;
    this.vae = vae;
  }

  /**
   * This checkpoint with its VAE replaced by the one in {@code vaeFile} (e.g. {@code
   * vae-ft-mse-840000-ema-pruned.safetensors}), whose keys may carry {@code first_stage_model.} or
   * not. Does not own {@code vaeFile}.
   *
   * @throws CheckpointFormatException when {@code vaeFile} holds no SD VAE, or one of another size
   *     than the model's (naming the tensor and both shapes)
   */
  public SdCheckpoint withVae(StateDict vaeFile) throws CheckpointFormatException {
    Objects.requireNonNull(vaeFile, "vaeFile");
    String p;
    if (vaeFile.entries().containsKey(CompVisNames.VAE + "encoder.conv_in.weight")) {
      p = CompVisNames.VAE;
    } else if (vaeFile.entries().containsKey("encoder.conv_in.weight")) {
      p = "";
    } else {
      throw new CheckpointFormatException(vaeFile.file(), "is not a Stable Diffusion VAE (no encoder.conv_in.weight or "
          + CompVisNames.VAE + "encoder.conv_in.weight)");
    }
    for (String key : new String[] {"encoder.conv_in.weight", "decoder.conv_out.weight", "post_quant_conv.weight"}) {
      TensorEntry mine = dict.entries().get(prefix + CompVisNames.VAE + key);
      TensorEntry theirs = vaeFile.entries().get(p + key);
      if (theirs == null || mine != null && !java.util.Arrays.equals(mine.shape(), theirs.shape())) {
        throw new CheckpointFormatException(vaeFile.file(), "does not fit the model's VAE: " + p + key + " is "
            + (theirs == null ? "missing" : java.util.Arrays.toString(theirs.shape())) + ", the model's is "
            + (mine == null ? "absent" : java.util.Arrays.toString(mine.shape())));
      }
    }
    return new SdCheckpoint(dict, prefix, textLevel, architecture, family, conditioningKey, new Source(vaeFile, p));
  }

  /**
   * Detects the architecture of {@code dict}.
   *
   * @throws CheckpointFormatException naming what was detected when it is not an SD 1.x or 2.x model
   *     (or their inpainting variant), or naming the key whose shape contradicts the architecture
   */
  public static SdCheckpoint of(StateDict dict) throws CheckpointFormatException {
    return of(dict, Hints.NONE);
  }

  /**
   * {@link #of(StateDict)} with {@code hints} overriding the family's rules.
   *
   * @throws CheckpointFormatException as {@link #of(StateDict)}, and naming both keys when the hints'
   *     conditioning key is not the one the UNet's tensors have
   */
  public static SdCheckpoint of(StateDict dict, Hints hints) throws CheckpointFormatException {
    Objects.requireNonNull(dict, "dict");
    Objects.requireNonNull(hints, "hints");
    Map<String, TensorEntry> entries = dict.entries();
    String prefix = entries.keySet().stream().allMatch(k -> k.startsWith("module.")) && !entries.isEmpty() ? "module." : "";
    Set<String> keys = new TreeSet<>();
    for (String k : entries.keySet()) {
      keys.add(k.substring(prefix.length()));
    }
    refuseOtherFamilies(dict, keys);
    String textLevel = keys.contains(CompVisNames.TEXT + "text_model.embeddings.token_embedding.weight")
        ? "text_model." : "";
    Shapes s = new Shapes(dict, prefix);
    Family family = keys.stream().anyMatch(k -> k.startsWith(CompVisNames.OPEN_CLIP)) ? Family.SD2 : Family.SD1;
    try {
      TextEncoderArchitecture text = family == Family.SD2 ? detectOpenClip(s) : detectText(s, textLevel);
      UNetInputs inputs = UNetInputs.of(s, keys);
      ConditioningKey key = inputs.key();
      Optional<ConditioningKey> stated = hints.conditioningKey();
      if (stated.isPresent() && stated.get() != key) {
        throw new CheckpointFormatException(dict.file(), "the inference config's model.params.conditioning_key is '"
            + stated.get().compvisName() + "' (" + meaning(stated.get()) + "), but " + inputs.describe()
            + ": its tensors are '" + key.compvisName() + "' (" + meaning(key) + ")");
      }
      if (key != ConditioningKey.CROSSATTN && key != ConditioningKey.HYBRID) {
        throw new CheckpointFormatException(dict.file(), inputs.describe() + ": a '" + key.compvisName() + "' UNet ("
            + meaning(key) + "); ldm4j converts UNets with text cross-attention: " + CONVERTED_KEYS);
      }
      SdArchitecture a = new SdArchitecture(text, detectUNet(s, keys, family, hints), detectVae(s, keys));
      int inpaintingChannels = 2 * a.vae().latentChannels() + 1;
      if (key == ConditioningKey.HYBRID && a.unet().inChannels() != inpaintingChannels) {
        throw new CheckpointFormatException(dict.file(), inputs.describe() + ": a 'hybrid' UNet, but ldm4j's concatenated "
            + "conditioning is inpainting's (latent, mask and masked-image latent: " + inpaintingChannels
            + " channels); other concatenated inputs (SD 2 depth's 5 channels, the x4 upscaler's 7) are not supported");
      }
      return new SdCheckpoint(dict, prefix, textLevel, a, family, key, null);
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(dict.file(), "not a consistent " + describe(family) + " checkpoint: "
          + e.getMessage(), e);
    }
  }

  /**
   * The checkpoint of architecture {@code a} and {@code family} as its keys and shapes, without
   * values: what a LoRA maps onto (its keys, {@link #storedWeight}'s shapes) and what builds the
   * graphs' structure, for a model known only by its architecture (a folder ldm4j converted, whose
   * weights are read from its ONNX files). Every key the graphs of {@code a} read is present, with the
   * shape PyTorch holds it in (a linear weight {@code [out, in]}; a fused q/k/v projection whole); for
   * SD 2.x also the text tower's last layer, which the file stores but no graph computes. Reading a
   * value ({@link #weights} values, {@link StateDict#data}) throws {@link IllegalStateException}.
   *
   * @param source the file or folder it stands for (named in messages)
   */
  public static SdCheckpoint structure(java.nio.file.Path source, SdArchitecture a, Family family) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(family, "family");
    Map<String, TensorEntry> entries = new LinkedHashMap<>();
    StateDict shapes = new StateDict() {
      @Override
      public java.nio.file.Path file() {
        return source;
      }

      @Override
      public Map<String, TensorEntry> entries() {
        return java.util.Collections.unmodifiableMap(entries);
      }

      @Override
      public Map<String, String> metadata() {
        return Map.of();
      }

      @Override
      public MemorySegment data(String name) {
        throw new IllegalStateException(source + " is read as an architecture only: no values of " + name);
      }

      @Override
      public io.github.ldm4j.tensor.Tensor toFloat(String name) {
        throw new IllegalStateException(source + " is read as an architecture only: no values of " + name);
      }

      @Override
      public void close() {}
    };
    ConditioningKey key = a.unet().inChannels() == 2 * a.vae().latentChannels() + 1 ? ConditioningKey.HYBRID
        : ConditioningKey.CROSSATTN;
    SdCheckpoint c = new SdCheckpoint(shapes, "", "text_model.", a, family, key, null);
    Map<String, String> modules = c.modules(a, UNetWeights.MODEL);
    for (ParameterSpec p : parameters(a)) {
      Located at = c.keyFor(p.name(), modules);
      long[] g = p.dims();
      long[] shape = p.transposed() ? new long[] {g[1], g[0]} : g;
      shape = shape.clone();
      if (at.parts() > 1) {
        shape[0] *= at.parts();
      }
      entries.put(at.key(), new TensorEntry(at.key(), DType.F32, shape));
    }
    if (family == Family.SD2) {
      // the stored last layer, shaped as the one before it
      String before = CompVisNames.OPEN_CLIP + "transformer.resblocks." + (a.text().layers() - 1) + ".";
      String last = CompVisNames.OPEN_CLIP + "transformer.resblocks." + a.text().layers() + ".";
      for (TensorEntry e : List.copyOf(entries.values())) {
        if (e.name().startsWith(before)) {
          String k = last + e.name().substring(before.length());
          entries.put(k, new TensorEntry(k, e.dtype(), e.shape()));
        }
      }
    }
    return c;
  }

  /** The checkpoint file. */
  public java.nio.file.Path file() {
    return dict.file();
  }

  /** The detected family. */
  public Family family() {
    return family;
  }

  /** The family in words ({@code SD 1.x}, {@code SD 2.x}). */
  public static String describe(Family family) {
    return family == Family.SD2 ? "SD 2.x" : "SD 1.x";
  }

  /** The detected architecture. */
  public SdArchitecture architecture() {
    return architecture;
  }

  /**
   * How conditioning enters the UNet, read from its tensors and agreeing with the config's: {@link
   * ConditioningKey#CROSSATTN} or, for the 9-channel inpainting UNet, {@link ConditioningKey#HYBRID}.
   */
  public ConditioningKey conditioningKey() {
    return conditioningKey;
  }

  /** Whether the UNet takes the 9-channel inpainting input ({@code hybrid} conditioning). */
  public boolean inpainting() {
    return conditioningKey == ConditioningKey.HYBRID;
  }

  /** Whether the file has the EMA copy of the UNet. */
  public boolean hasEma() {
    return dict.entries().containsKey(prefix + emaKey(CompVisNames.UNET + "input_blocks.0.0.weight"));
  }

  /**
   * The weights of all three networks under {@code a} (usually {@link #architecture()}).
   *
   * @throws CheckpointFormatException for EMA weights a file without EMA is asked for
   */
  public Weights weights(SdArchitecture a, UNetWeights unet) throws CheckpointFormatException {
    if (unet == UNetWeights.EMA && !hasEma()) {
      throw new CheckpointFormatException(dict.file(), "has no EMA weights (no model_ema.* keys); use the model weights");
    }
    Map<String, String> modules = modules(a, unet);
    return spec -> values(spec, modules);
  }

  /**
   * The graph parameters of {@code a} this checkpoint lacks (by checkpoint key), and the keys of the
   * file no parameter reads (schedule buffers and training state are expected there), for {@code
   * ldm4j inspect} and for the error that lists the first missing keys.
   */
  public KeyUsage usage(SdArchitecture a, UNetWeights unet) {
    Map<String, String> modules = modules(a, unet);
    Set<String> used = new TreeSet<>();
    List<String> missing = new ArrayList<>();
    for (ParameterSpec p : parameters(a)) {
      Located at = keyFor(p.name(), modules);
      if (at.entry() == null) {
        missing.add(at.source().dict() == dict ? at.key() : at.source().dict().file() + ": " + at.key());
      } else if (at.source().dict() == dict) {
        used.add(at.key());
      }
    }
    List<String> unused = dict.entries().keySet().stream().filter(k -> !used.contains(k)).toList();
    return new KeyUsage(missing, unused);
  }

  /** Every parameter the four graphs of {@code a} read, in build order (no values are computed). */
  public static List<ParameterSpec> parameters(SdArchitecture a) {
    List<ParameterSpec> out = new ArrayList<>();
    Weights recorder = p -> {
      out.add(p);
      return Weights.structureOnly().values(p);
    };
    ExportFlavor f = ExportFlavor.OPTIMUM;
    Precision precision = Precision.FP32;
    SdGraphs.textEncoder(a, f, precision, recorder);
    SdGraphs.unet(a, f, precision, recorder);
    SdGraphs.vaeEncoder(a, f, precision, recorder);
    SdGraphs.vaeDecoder(a, precision, recorder);
    return out;
  }

  /**
   * Keys a checkpoint lacks and keys nothing reads.
   *
   * @param missing checkpoint keys the graphs need but the file lacks
   * @param unused checkpoint keys no graph parameter reads
   */
  public record KeyUsage(List<String> missing, List<String> unused) {
    /** Copies. */
    public KeyUsage {
      missing = List.copyOf(missing);
      unused = List.copyOf(unused);
    }
  }

  private Located keyFor(String parameter, Map<String, String> modules) {
    int dot = parameter.lastIndexOf('.');
    String module = modules.get(parameter.substring(0, dot));
    if (module == null) {
      throw new IllegalArgumentException("no checkpoint key is known for graph parameter " + parameter);
    }
    String suffix = parameter.substring(dot);
    if (module.endsWith(CompVisNames.EXACT)) {
      return new Located(new Source(dict, prefix), prefix + module.substring(0, module.length() - 1));
    }
    Matcher part = PART.matcher(module);
    if (part.matches()) {
      return new Located(new Source(dict, prefix), prefix + part.group(1) + "_" + suffix.substring(1),
          Integer.parseInt(part.group(2)), Integer.parseInt(part.group(3)));
    }
    if (vae != null && module.startsWith(CompVisNames.VAE)) {
      return new Located(vae, vae.prefix() + module.substring(CompVisNames.VAE.length()) + suffix);
    }
    Source main = new Source(dict, prefix);
    return new Located(main, prefix + (module.startsWith("model_ema.") ? module + suffix.substring(1) : module + suffix));
  }

  private Map<String, String> modules(SdArchitecture a, UNetWeights unet) {
    Map<String, String> m = new LinkedHashMap<>();
    CompVisNames.unet(a.unet()).forEach((d, c) -> m.put(d, unet == UNetWeights.EMA ? emaKey(c) : c));
    m.putAll(CompVisNames.vae(a.vae()));
    if (family == Family.SD2) {
      m.putAll(CompVisNames.openClipText(storedText(a.text())));
    } else {
      CompVisNames.text(a.text()).forEach((d, c) ->
          m.put(d, textLevel.isEmpty() ? c.replace(CompVisNames.TEXT + "text_model.", CompVisNames.TEXT) : c));
    }
    return m;
  }

  /**
   * The text tower as the file stores it: SD 2.x's graphs stop at the penultimate layer, the file has
   * one more (whose modules are known by name, e.g. to a LoRA, but computed by no graph).
   */
  public TextEncoderArchitecture storedText(TextEncoderArchitecture graph) {
    if (family != Family.SD2) {
      return graph;
    }
    return new TextEncoderArchitecture(graph.vocabSize(), graph.maxPositions(), graph.hiddenSize(), graph.layers() + 1,
        graph.heads(), graph.intermediateSize(), graph.eosTokenId(), graph.quickGelu());
  }

  /**
   * Where this file stores the weight of a module of {@code a}'s networks (named as the graphs name
   * it: diffusers / transformers module paths; for SD 2.x also the last text layer, {@link
   * #storedText}): the key as in the file, a fused q/k/v part marked {@code [i/3]}, and the shape of
   * that tensor (of the part) as PyTorch holds it.
   *
   * @return empty when the architecture has no such module or the file lacks its weight
   */
  public Optional<StoredWeight> storedWeight(SdArchitecture a, UNetWeights unet, String module) {
    Map<String, String> modules = modules(a, unet);
    if (!modules.containsKey(module)) {
      return Optional.empty();
    }
    Located at = keyFor(module + ".weight", modules);
    TensorEntry e = at.entry();
    if (e == null || e.shape().length == 0 || e.shape()[0] % at.parts() != 0) {
      return Optional.empty();
    }
    long[] shape = e.shape().clone();
    shape[0] /= at.parts();
    String key = at.parts() > 1 ? at.key() + "[" + at.part() + "/" + at.parts() + "]" : at.key();
    return Optional.of(new StoredWeight(key, shape));
  }

  /**
   * A stored weight.
   *
   * @param key the key in the file ({@code …in_proj_weight[0/3]} for the first row block of a fused projection)
   * @param shape its PyTorch shape (the row block's)
   */
  public record StoredWeight(String key, long[] shape) {
    /** Validates and copies. */
    public StoredWeight {
      Objects.requireNonNull(key, "key");
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  /** CompVis {@code LitEma}: {@code model.X.Y} is stored as {@code model_ema.XY} (the path below {@code model.} without dots). */
  static String emaKey(String key) {
    if (!key.startsWith("model.")) {
      return key;
    }
    return "model_ema." + key.substring("model.".length()).replace(".", "");
  }

  private TensorValues.FloatFiller values(ParameterSpec spec, Map<String, String> modules) {
    String name = spec.name();
    Located at = keyFor(name, modules);
    String key = at.key();
    TensorEntry e = at.entry();
    if (e == null) {
      throw new IllegalArgumentException(at.source().dict().file() + " lacks " + key + " (graph parameter " + name + ")");
    }
    if (!e.dtype().isFloating()) {
      throw new IllegalArgumentException(key + " is " + e.dtype() + ", expected a floating-point weight");
    }
    long[] shape = e.shape();
    long offset = 0;
    if (at.parts() > 1) {
      if (shape.length == 0 || shape[0] % at.parts() != 0) {
        throw new IllegalArgumentException(key + " of shape " + java.util.Arrays.toString(shape) + " does not split into "
            + at.parts() + " row blocks");
      }
      shape = shape.clone();
      shape[0] /= at.parts();
      long blockElements = 1;
      for (long d : shape) {
        blockElements *= d;
      }
      offset = at.part() * blockElements;
    }
    Layout layout = Layout.of(shape, spec, key);
    MemorySegment data = at.source().dict().data(key);
    long base = offset;
    DType type = e.dtype();
    long[] graph = spec.dims();
    if (layout == Layout.SAME) {
      return (start, dst, count) -> readRun(data, type, base + start, dst, 0, count);
    }
    long[] g = Arrays.stream(graph).filter(d -> d != 1).toArray();
    return (start, dst, count) -> readTransposed(data, type, base, g[0], g[1], start, dst, count);
  }

  /**
   * Graph elements {@code start..start+count)} of a {@code [rows, cols]} graph tensor read from the
   * PyTorch {@code [cols, rows]} tensor at element {@code base}: whole graph rows in blocks (each
   * source row contributes one contiguous run per block, so the file is read sequentially), the
   * partial rows at either end element by element.
   */
  private static void readTransposed(MemorySegment data, DType type, long base, long rows, long cols, long start,
      float[] dst, int count) {
    int i = 0;
    while (i < count && (start + i) % cols != 0) { // head: the rest of a partial row
      long k = start + i;
      dst[i++] = read(data, type, base + (k % cols) * rows + k / cols);
    }
    int fullRows = (int) ((count - i) / cols);
    if (fullRows > 0) {
      long r0 = (start + i) / cols;
      float[] run = RUN.get();
      if (run.length < fullRows) {
        run = new float[fullRows];
        RUN.set(run);
      }
      for (long c = 0; c < cols; c++) {
        readRun(data, type, base + c * rows + r0, run, 0, fullRows);
        int at = i + (int) c;
        for (int r = 0; r < fullRows; r++, at += (int) cols) {
          dst[at] = run[r];
        }
      }
      i += (int) (fullRows * cols);
    }
    for (; i < count; i++) { // tail: the start of a partial row
      long k = start + i;
      dst[i] = read(data, type, base + (k % cols) * rows + k / cols);
    }
  }

  /** One block row of a transposed read, one growing array per thread. */
  private static final ThreadLocal<float[]> RUN = ThreadLocal.withInitial(() -> new float[0]);

  /** Raw 16-bit values of the run being converted, one growing array per thread. */
  private static final ThreadLocal<short[]> SCRATCH = ThreadLocal.withInitial(() -> new short[0]);

  /** {@code n} consecutive elements from element {@code index} of {@code data}, converted to float, in bulk. */
  private static void readRun(MemorySegment data, DType type, long index, float[] dst, int offset, int n) {
    switch (type) {
      case F32 -> MemorySegment.copy(data, F32, index * 4, dst, offset, n);
      case F16, BF16 -> {
        short[] raw = SCRATCH.get();
        if (raw.length < n) {
          raw = new short[n];
          SCRATCH.set(raw);
        }
        MemorySegment.copy(data, U16, index * 2, raw, 0, n);
        if (type == DType.F16) {
          for (int i = 0; i < n; i++) {
            dst[offset + i] = Float.float16ToFloat(raw[i]);
          }
        } else {
          for (int i = 0; i < n; i++) {
            dst[offset + i] = Float.intBitsToFloat((raw[i] & 0xFFFF) << 16);
          }
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          dst[offset + i] = read(data, type, index + i);
        }
      }
    }
  }

  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private static float read(MemorySegment data, DType type, long index) {
    return switch (type) {
      case F32 -> data.getAtIndex(F32, index);
      case F16 -> Float.float16ToFloat(data.getAtIndex(U16, index));
      case BF16 -> Float.intBitsToFloat((data.getAtIndex(U16, index) & 0xFFFF) << 16);
      case F64 -> (float) data.getAtIndex(F64, index);
      default -> throw new IllegalStateException("not a float type: " + type);
    };
  }

  /** How a checkpoint tensor is read in a graph's order. */
  enum Layout {
    /** The same elements in the same order (equal shapes, or equal but for size-1 dimensions). */
    SAME,
    /** A PyTorch {@code [out, in]} (or {@code [out, in, 1, 1]}) weight read as {@code [in, out]}. */
    TRANSPOSED;

    /**
     * The layout of the checkpoint tensor {@code key} of {@code checkpoint} shape for {@code spec}:
     * equal shapes but for size-1 dimensions (a norm's {@code [C]} for {@code [C, 1, 1]}), or a
     * linear weight's {@code [out, in]} (also as a 1×1 convolution {@code [out, in, 1, 1]}) for a
     * transposed {@code [in, out]}.
     *
     * @throws IllegalArgumentException naming the key, its shape and the shape needed
     */
    static Layout of(long[] checkpoint, ParameterSpec spec, String key) {
      long[] c = squeezed(checkpoint);
      long[] g = squeezed(spec.dims());
      if (!spec.transposed() && Arrays.equals(c, g)) {
        return SAME;
      }
      if (spec.transposed() && c.length == 2 && g.length == 2 && c[0] == g[1] && c[1] == g[0]) {
        return TRANSPOSED;
      }
      long[] needed = spec.transposed() && g.length == 2 ? new long[] {g[1], g[0]} : spec.dims();
      throw new IllegalArgumentException(
          key + " has shape " + Arrays.toString(checkpoint) + ", the architecture needs " + Arrays.toString(needed));
    }

    /** The checkpoint element read for graph element {@code k} of a graph tensor of {@code dims}. */
    long source(long k, long[] dims) {
      if (this == SAME) {
        return k;
      }
      long[] g = squeezed(dims);
      long rows = g[0];
      long cols = g[1];
      return (k % cols) * rows + k / cols;
    }

    private static long[] squeezed(long[] dims) {
      return Arrays.stream(dims).filter(d -> d != 1).toArray();
    }
  }

  // ------------------------------------------------------------------ detection

  private static void refuseOtherFamilies(StateDict dict, Set<String> keys) throws CheckpointFormatException {
    String detected = null;
    if (keys.stream().anyMatch(k -> k.startsWith("lora_unet_") || k.startsWith("lora_te_") || k.contains(".lora_down.")
        || k.contains(".lora_A.") || k.contains("lora_up"))) {
      detected = "a LoRA (lora_* keys), not a model; apply it to a model instead";
    } else if (keys.stream().anyMatch(k -> k.startsWith("conditioner.embedders."))) {
      detected = "an SDXL checkpoint (conditioner.embedders.*)";
    } else if (keys.stream().anyMatch(k -> k.contains("joint_blocks.") || k.contains("double_blocks."))) {
      detected = "an SD3 / Flux checkpoint (MMDiT blocks)";
    } else if (keys.stream().noneMatch(k -> k.startsWith(CompVisNames.UNET))
        && keys.stream().anyMatch(k -> k.startsWith("encoder.") || k.startsWith("decoder.") || k.startsWith(CompVisNames.VAE))) {
      detected = "a VAE file (encoder.* / decoder.* only); give it as the VAE of a model, not as the model";
    } else if (keys.stream().noneMatch(k -> k.startsWith(CompVisNames.UNET))) {
      detected = "no Stable Diffusion UNet (no " + CompVisNames.UNET + "* keys)";
    } else if (keys.stream().noneMatch(k -> k.startsWith(CompVisNames.TEXT) || k.startsWith(CompVisNames.OPEN_CLIP))) {
      detected = "a UNet without a CLIP text encoder (no " + CompVisNames.TEXT + "* or " + CompVisNames.OPEN_CLIP
          + "* keys)";
    }
    if (detected != null) {
      throw new CheckpointFormatException(dict.file(), "detected " + detected
          + "; supported: SD 1.x, SD 1.x inpainting and SD 2.x in the CompVis layout (model.diffusion_model.*, first_stage_model.*,"
          + " cond_stage_model.transformer.*)");
    }
  }

  /** What a conditioning key feeds the UNet, for messages. */
  private static String meaning(ConditioningKey key) {
    return switch (key) {
      case CROSSATTN -> "a text context through cross-attention, as many input channels as output";
      case HYBRID -> "cross-attention plus channels concatenated to the latent, as inpainting's mask and masked image";
      case CONCAT -> "channels concatenated to the latent, no cross-attention";
      case NONE -> "unconditional: no cross-attention, as many input channels as output";
    };
  }

  /**
   * What the UNet's tensors say about its conditioning.
   *
   * @param in input channels ({@code input_blocks.0.0.weight} {@code [C, in, 3, 3]})
   * @param out output channels ({@code out.2.weight} {@code [out, C, 3, 3]})
   * @param context the width of the cross-attention context ({@code attn2.to_k.weight} {@code [C, context]}), 0 without
   */
  private record UNetInputs(long in, long out, long context) {
    static UNetInputs of(Shapes s, Set<String> keys) {
      String u = CompVisNames.UNET;
      long in = s.shape(u + "input_blocks.0.0.weight", 4)[1];
      long out = s.shape(u + "out.2.weight", 4)[0];
      long context = 0;
      for (String k : keys) {
        if (k.startsWith(u) && k.endsWith(".attn2.to_k.weight")) {
          context = s.shape(k, 2)[1];
          break;
        }
      }
      return new UNetInputs(in, out, context);
    }

    ConditioningKey key() {
      return ConditioningKey.of(context > 0, in > out);
    }

    String describe() {
      return "the UNet takes " + in + " input channels for " + out + " output channels (" + CompVisNames.UNET
          + "input_blocks.0.0.weight, out.2.weight) and has " + (context > 0
              ? "cross-attention (a context of width " + context + ")" : "no cross-attention (no attn2 layers)");
    }
  }

  private static UNetArchitecture detectUNet(Shapes s, Set<String> keys, Family family, Hints hints) {
    String u = CompVisNames.UNET;
    long[] convIn = s.shape(u + "input_blocks.0.0.weight", 4);
    long[] convOut = s.shape(u + "out.2.weight", 4);
    int levels = 1 + count(keys, Pattern.compile(Pattern.quote(u) + "input_blocks\\.(\\d+)\\.0\\.op\\.weight"));
    int outputs = distinct(keys, Pattern.compile(Pattern.quote(u) + "output_blocks\\.(\\d+)\\."));
    if (outputs % levels != 0) {
      throw new IllegalArgumentException(outputs + " UNet output blocks do not divide into " + levels + " levels");
    }
    int perLevel = outputs / levels - 1;
    List<Integer> channels = new ArrayList<>();
    List<Boolean> attention = new ArrayList<>();
    long context = -1;
    for (int i = 0; i < levels; i++) {
      int n = 1 + i * (perLevel + 1);
      channels.add((int) s.shape(u + "input_blocks." + n + ".0.out_layers.3.weight", 4)[0]);
      boolean attn = keys.contains(u + "input_blocks." + n + ".1.proj_in.weight");
      attention.add(attn);
      if (attn && context < 0) {
        context = s.shape(u + "input_blocks." + n + ".1.transformer_blocks.0.attn2.to_k.weight", 2)[1];
      }
    }
    if (context < 0) {
      throw new IllegalArgumentException("the UNet has no cross-attention (no input_blocks.N.1.proj_in)");
    }
    int firstAttention = attention.indexOf(true);
    int n0 = 1 + firstAttention * (perLevel + 1);
    TensorEntry projIn = s.dict().entries().get(s.prefix() + u + "input_blocks." + n0 + ".1.proj_in.weight");
    boolean linear = projIn.shape().length == 2;
    int headChannels = hints.unetHeadChannels().orElse(
        hints.unetHeads().isPresent() || family == Family.SD1 ? 0 : SD2_UNET_HEAD_CHANNELS);
    UNetArchitecture a = new UNetArchitecture((int) convIn[1], (int) convOut[0], channels, attention, perLevel,
        hints.unetHeads().orElse(SD1_UNET_HEADS), (int) context, NORM_GROUPS, headChannels, linear);
    long[] temb = s.shape(u + "time_embed.0.weight", 2);
    if (temb[0] != a.timeEmbedDim()) {
      throw new IllegalArgumentException(u + "time_embed.0.weight has shape " + Arrays.toString(temb)
          + ", expected [" + a.timeEmbedDim() + ", " + channels.getFirst() + "]");
    }
    return a;
  }

  private static VaeArchitecture detectVae(Shapes s, Set<String> keys) {
    String v = CompVisNames.VAE;
    int levels = distinct(keys, Pattern.compile(Pattern.quote(v) + "encoder\\.down\\.(\\d+)\\."));
    int perLevel = distinct(keys, Pattern.compile(Pattern.quote(v) + "encoder\\.down\\.0\\.block\\.(\\d+)\\."));
    List<Integer> channels = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      channels.add((int) s.shape(v + "encoder.down." + i + ".block.0.conv2.weight", 4)[0]);
    }
    int latent = (int) s.shape(v + "post_quant_conv.weight", 4)[0];
    return new VaeArchitecture(channels, perLevel, latent, NORM_GROUPS);
  }

  private static TextEncoderArchitecture detectText(Shapes s, String textLevel) {
    String t = CompVisNames.TEXT + textLevel;
    long[] tokens = s.shape(t + "embeddings.token_embedding.weight", 2);
    long[] positions = s.shape(t + "embeddings.position_embedding.weight", 2);
    int width = (int) tokens[1];
    if (width % CLIP_HEAD_WIDTH != 0) {
      throw new IllegalArgumentException("text width " + width + " is not a multiple of " + CLIP_HEAD_WIDTH
          + ", so the CLIP head count (width / 64) cannot be inferred");
    }
    int layers = distinct(s.keys(), Pattern.compile(Pattern.quote(s.prefix + t) + "encoder\\.layers\\.(\\d+)\\."));
    long[] fc1 = s.shape(t + "encoder.layers.0.mlp.fc1.weight", 2);
    // CLIP's end-of-text token is the last entry of its vocabulary (49407 of 49408).
    return new TextEncoderArchitecture((int) tokens[0], (int) positions[0], width, layers, width / CLIP_HEAD_WIDTH,
        (int) fc1[0], (int) tokens[0] - 1);
  }

  /**
   * OpenCLIP's text tower as SD 2.x runs it: the penultimate layer's output through {@code ln_final}
   * (so the graph has one layer fewer than the file), exact GELU, heads = width / 64.
   */
  private static TextEncoderArchitecture detectOpenClip(Shapes s) {
    String t = CompVisNames.OPEN_CLIP;
    long[] tokens = s.shape(t + "token_embedding.weight", 2);
    long[] positions = s.shape(t + "positional_embedding", 2);
    int width = (int) tokens[1];
    if (width % CLIP_HEAD_WIDTH != 0) {
      throw new IllegalArgumentException("text width " + width + " is not a multiple of " + CLIP_HEAD_WIDTH
          + ", so the CLIP head count (width / 64) cannot be inferred");
    }
    int layers = distinct(s.keys(), Pattern.compile(Pattern.quote(s.prefix + t) + "transformer\\.resblocks\\.(\\d+)\\."));
    if (layers < 2) {
      throw new IllegalArgumentException("the OpenCLIP text tower has " + layers + " layers; SD 2.x uses the penultimate");
    }
    long[] fc = s.shape(t + "transformer.resblocks.0.mlp.c_fc.weight", 2);
    return new TextEncoderArchitecture((int) tokens[0], (int) positions[0], width, layers - 1, width / CLIP_HEAD_WIDTH,
        (int) fc[0], (int) tokens[0] - 1, false);
  }

  private static int count(Set<String> keys, Pattern p) {
    return (int) keys.stream().filter(k -> p.matcher(k).matches()).count();
  }

  private static int distinct(Set<String> keys, Pattern p) {
    Set<String> seen = new TreeSet<>();
    for (String k : keys) {
      Matcher m = p.matcher(k);
      if (m.lookingAt()) {
        seen.add(m.group(1));
      }
    }
    return seen.size();
  }

  /** Shapes of required keys, with the key named when one is missing or of another rank. */
  private record Shapes(StateDict dict, String prefix) {
    long[] shape(String key, int rank) {
      TensorEntry e = dict.entries().get(prefix + key);
      if (e == null) {
        throw new IllegalArgumentException("missing key " + prefix + key);
      }
      if (e.shape().length != rank) {
        throw new IllegalArgumentException(prefix + key + " has shape " + Arrays.toString(e.shape()) + ", expected rank " + rank);
      }
      return e.shape();
    }

    Set<String> keys() {
      return dict.entries().keySet();
    }
  }
}
