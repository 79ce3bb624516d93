package io.github.ldm4j.checkpoint.lora;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.TensorEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LoRA file (safetensors, or {@code .pt} / {@code .ckpt} through the restricted unpickler) read as
 * low-rank modules: each module has a {@code down} {@code [r, in]} (a convolution's {@code [r, in,
 * kh, kw]}), an {@code up} {@code [out, r]} ({@code [out, r, 1, 1]}) and an optional 0-d {@code
 * alpha}; merged, it adds {@code multiplier · (alpha / r) · up · down} to the weight of the layer it
 * names (a convolution's kernels flattened to {@code [out, in·kh·kw]}).
 *
 * <p>Formats, told apart by the keys:
 *
 * <ul>
 *   <li>{@link Format#KOHYA} — kohya-ss sd-scripts / AUTOMATIC1111: {@code lora_unet_<diffusers module
 *       path, dots as _>} and {@code lora_te_<transformers module path>}, each with {@code
 *       .lora_down.weight}, {@code .lora_up.weight}, {@code .alpha}; linear layers, 1×1 convolutions
 *       (SD 1.x {@code proj_in} / {@code proj_out}) and 3×3 convolutions ("LoCon"). A missing alpha,
 *       and an alpha of 0, mean alpha = rank (scale 1), as sd-scripts' {@code networks/lora.py} reads
 *       them.
 *   <li>{@link Format#DIFFUSERS} — diffusers / PEFT: {@code unet.<module>} and {@code
 *       text_encoder.<module>} with {@code .lora_A.weight} / {@code .lora_B.weight} (PEFT), {@code
 *       .lora.down.weight} / {@code .lora.up.weight} or {@code .lora_linear_layer.down/up.weight}
 *       (diffusers), or the attention-processor form {@code …attn1.processor.to_q_lora.down.weight};
 *       an optional {@code .alpha}; without it, scale 1.
 * </ul>
 *
 * <p>Refused with what was found, naming the file: LyCORIS LoHa ({@code hada_*}), LoKr ({@code
 * lokr_*}), IA3, GLoRA, full / norm modules, LoCon with a Tucker core ({@code lora_mid}), DoRA
 * ({@code dora_scale}), and SDXL LoRAs ({@code lora_te1_} / {@code lora_te2_}). Keys of no known
 * form stay in {@link #unrecognised()}: they are reported (and refused by a merge), never dropped
 * silently. Modules are validated here (both halves present, floating, ranks agree, {@code up} a
 * 1×1 kernel, alpha a single finite number); whether they fit a model is {@link LoraMapping}'s
 * business.
 */
public final class LoraFile implements AutoCloseable {

  /** The key convention of a LoRA file. */
  public enum Format {
    /** kohya-ss sd-scripts / AUTOMATIC1111 ({@code lora_unet_*}, {@code lora_te_*}). */
    KOHYA,
    /** diffusers / PEFT ({@code unet.*}, {@code text_encoder.*}). */
    DIFFUSERS
  }

  /** The network a module modifies; each has its own multiplier. */
  public enum Network {
    /** The CLIP text encoder. */
    TEXT_ENCODER,
    /** The UNet. */
    UNET
  }

  /**
   * One low-rank module.
   *
   * @param name the module's name in the file (kohya: {@code lora_unet_…}; diffusers: {@code unet.…} with dots)
   * @param network the network it modifies
   * @param down the key of the down (first) matrix {@code [r, in(, kh, kw)]}
   * @param up the key of the up matrix {@code [out, r(, 1, 1)]}
   * @param alpha the alpha (rank when absent or 0)
   * @param rank {@code r}
   * @param downShape the down tensor's shape
   * @param upShape the up tensor's shape
   */
  public record Module(String name, Network network, String down, String up, double alpha, int rank,
      long[] downShape, long[] upShape) {
    /** Validates and copies. */
    public Module {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(network, "network");
      Objects.requireNonNull(down, "down");
      Objects.requireNonNull(up, "up");
      downShape = downShape.clone();
      upShape = upShape.clone();
    }

    /** {@code alpha / rank}. */
    public double scale() {
      return alpha / rank;
    }

    /** Output features ({@code up}'s rows). */
    public long out() {
      return upShape[0];
    }

    /** Input features times the kernel size ({@code down} flattened to {@code [r, in·kh·kw]}). */
    public long inFlat() {
      long n = 1;
      for (int i = 1; i < downShape.length; i++) {
        n *= downShape[i];
      }
      return n;
    }

    @Override
    public long[] downShape() {
      return downShape.clone();
    }

    @Override
    public long[] upShape() {
      return upShape.clone();
    }
  }

  private final StateDict dict;
  private final boolean owned;
  private final Format format;
  private final List<Module> modules;
  private final List<String> unrecognised;

  private LoraFile(StateDict dict, boolean owned, Format format, List<Module> modules, List<String> unrecognised) {
    this.dict = dict;
    this.owned = owned;
    this.format = format;
    this.modules = List.copyOf(modules);
    this.unrecognised = List.copyOf(unrecognised);
  }

  /**
   * Opens {@code file} (safetensors or PyTorch pickle, by content) as a LoRA; {@link #close()} closes it.
   *
   * @throws CheckpointFormatException naming the file when it is malformed, not a LoRA, or of a kind ldm4j does not merge
   */
  public static LoraFile open(Path file) throws IOException {
    StateDict dict = StateDicts.open(file);
    try {
      return read(dict, true);
    } catch (IOException | RuntimeException e) {
      dict.close();
      throw e;
    }
  }

  /**
   * Reads the LoRA in {@code dict}, which stays the caller's to close.
   *
   * @throws CheckpointFormatException as {@link #open}
   */
  public static LoraFile of(StateDict dict) throws CheckpointFormatException {
    return read(Objects.requireNonNull(dict, "dict"), false);
  }

  private static final Pattern KOHYA = Pattern.compile("(lora_(?:unet|te)_[A-Za-z0-9_]+)\\.(lora_down\\.weight|lora_up\\.weight|alpha)");
  private static final Pattern DIFFUSERS = Pattern.compile("(unet|text_encoder)\\.(.+?)\\.(lora_A\\.weight|lora_B\\.weight"
      + "|lora\\.down\\.weight|lora\\.up\\.weight|lora_linear_layer\\.down\\.weight|lora_linear_layer\\.up\\.weight|alpha)");
  private static final Pattern PROCESSOR = Pattern.compile("(.+)\\.processor\\.(to_q|to_k|to_v|to_out)_lora\\.(down|up)\\.weight");

  /** Kinds refused, by the key form that marks them. */
  private static final Map<Pattern, String> REFUSED = refused();

  private static Map<Pattern, String> refused() {
    Map<Pattern, String> m = new LinkedHashMap<>();
    m.put(Pattern.compile("\\.hada_(w1_a|w1_b|w2_a|w2_b|t1|t2)$"), "LoHa (LyCORIS hada_* keys)");
    m.put(Pattern.compile("\\.lokr_(w1|w2|w1_a|w1_b|w2_a|w2_b|t2)$"), "LoKr (LyCORIS lokr_* keys)");
    m.put(Pattern.compile("\\.lora_mid\\.weight$"), "LoCon with a Tucker core (lora_mid keys)");
    m.put(Pattern.compile("\\.dora_scale$"), "DoRA (dora_scale keys)");
    m.put(Pattern.compile("\\.on_input$"), "IA3 (on_input keys)");
    m.put(Pattern.compile("\\.(a1|a2|b1|b2)\\.weight$"), "GLoRA (a1/a2/b1/b2 keys)");
    m.put(Pattern.compile("^lora_(unet|te)_.*\\.diff(_b)?$"), "a LyCORIS full-weight difference (diff keys)");
    m.put(Pattern.compile("\\.[wb]_norm$"), "a LyCORIS norm module (w_norm / b_norm keys)");
    m.put(Pattern.compile("^lora_te[12]_"), "an SDXL LoRA (lora_te1_ / lora_te2_ keys)");
    return m;
  }

  private static LoraFile read(StateDict dict, boolean owned) throws CheckpointFormatException {
    Path file = dict.file();
    for (String key : dict.entries().keySet()) {
      for (Map.Entry<Pattern, String> r : REFUSED.entrySet()) {
        if (r.getKey().matcher(key).find()) {
          throw new CheckpointFormatException(file, "unsupported: " + r.getValue() + ", e.g. " + key
              + "; ldm4j merges LoRA / LoCon (lora_down / lora_up) and diffusers / PEFT (lora_A / lora_B) files");
        }
      }
    }
    // module name -> {down, up, alpha} keys
    Map<String, String[]> parts = new TreeMap<>();
    Map<String, Network> networks = new LinkedHashMap<>();
    List<String> unrecognised = new ArrayList<>();
    int kohya = 0;
    int diffusers = 0;
    for (String key : dict.entries().keySet()) {
      Matcher k = KOHYA.matcher(key);
      Matcher d = DIFFUSERS.matcher(key);
      Matcher p = PROCESSOR.matcher(key);
      String module;
      int slot;
      if (k.matches()) {
        module = k.group(1);
        slot = slot(k.group(2));
        networks.put(module, module.startsWith("lora_te_") ? Network.TEXT_ENCODER : Network.UNET);
        kohya++;
      } else if (p.matches() && p.group(1).startsWith("unet.")) {
        module = p.group(1) + "." + (p.group(2).equals("to_out") ? "to_out.0" : p.group(2));
        slot = p.group(3).equals("down") ? 0 : 1;
        networks.put(module, Network.UNET);
        diffusers++;
      } else if (d.matches()) {
        module = d.group(1) + "." + d.group(2);
        slot = slot(d.group(3));
        networks.put(module, d.group(1).equals("unet") ? Network.UNET : Network.TEXT_ENCODER);
        diffusers++;
      } else {
        unrecognised.add(key);
        continue;
      }
      String[] keys = parts.computeIfAbsent(module, x -> new String[3]);
      if (keys[slot] != null) {
        throw new CheckpointFormatException(file, "module " + module + " has two " + new String[] {"down", "up", "alpha"}[slot]
            + " tensors: " + keys[slot] + " and " + key);
      }
      keys[slot] = key;
    }
    if (kohya > 0 && diffusers > 0) {
      throw new CheckpointFormatException(file, "mixes kohya (lora_unet_* / lora_te_*) and diffusers (unet.* / text_encoder.*) keys");
    }
    if (parts.isEmpty()) {
      List<String> first = unrecognised.subList(0, Math.min(5, unrecognised.size()));
      throw new CheckpointFormatException(file, "is not a LoRA: none of its " + dict.entries().size()
          + " keys is a LoRA module (lora_unet_* / lora_te_* with .lora_down/.lora_up, or unet.* / text_encoder.* with "
          + ".lora_A/.lora_B), e.g. " + first);
    }
    List<Module> modules = new ArrayList<>();
    for (Map.Entry<String, String[]> e : parts.entrySet()) {
      modules.add(module(dict, e.getKey(), networks.get(e.getKey()), e.getValue()));
    }
    return new LoraFile(dict, owned, kohya > 0 ? Format.KOHYA : Format.DIFFUSERS, modules, unrecognised);
  }

  private static int slot(String suffix) {
    if (suffix.equals("alpha")) {
      return 2;
    }
    return suffix.contains("down") || suffix.contains("lora_A") ? 0 : 1;
  }

  private static Module module(StateDict dict, String name, Network network, String[] keys) throws CheckpointFormatException {
    Path file = dict.file();
    if (keys[0] == null || keys[1] == null) {
      throw new CheckpointFormatException(file, "LoRA module " + name + " has no " + (keys[0] == null ? "down" : "up")
          + " weight (only " + Arrays.stream(keys).filter(Objects::nonNull).toList() + ")");
    }
    TensorEntry down = dict.entries().get(keys[0]);
    TensorEntry up = dict.entries().get(keys[1]);
    for (TensorEntry t : new TensorEntry[] {down, up}) {
      if (!t.dtype().isFloating()) {
        throw new CheckpointFormatException(file, t.name() + " is " + t.dtype() + ", expected a floating-point weight");
      }
    }
    long[] d = down.shape();
    long[] u = up.shape();
    if (d.length != 2 && d.length != 4 || u.length != 2 && u.length != 4) {
      throw new CheckpointFormatException(file, "LoRA module " + name + ": down " + Arrays.toString(d) + " and up "
          + Arrays.toString(u) + " must be matrices or convolution kernels");
    }
    if (u.length == 4 && (u[2] != 1 || u[3] != 1)) {
      throw new CheckpointFormatException(file, keys[1] + " has shape " + Arrays.toString(u)
          + "; an up weight must be a 1×1 kernel [out, r, 1, 1]");
    }
    if (d[0] != u[1] || d[0] < 1 || d[0] > Integer.MAX_VALUE) {
      throw new CheckpointFormatException(file, "LoRA module " + name + ": the ranks disagree, " + keys[0] + " is "
          + Arrays.toString(d) + " and " + keys[1] + " is " + Arrays.toString(u) + " (down [r, in], up [out, r])");
    }
    int rank = (int) d[0];
    double alpha = rank;
    if (keys[2] != null) {
      TensorEntry a = dict.entries().get(keys[2]);
      if (!a.dtype().isFloating() && !a.dtype().name().startsWith("I") || Arrays.stream(a.shape()).reduce(1, (x, y) -> x * y) != 1) {
        throw new CheckpointFormatException(file, keys[2] + " is " + a.dtype() + " " + Arrays.toString(a.shape())
            + ", expected a single number");
      }
      double value = a.dtype().isFloating() ? dict.toFloat(keys[2]).get(0) : integer(dict, a);
      if (!Double.isFinite(value) || value < 0) {
        throw new CheckpointFormatException(file, keys[2] + " is " + value + ", expected a finite alpha ≥ 0");
      }
      alpha = value == 0 ? rank : value; // sd-scripts: an alpha of 0 means the rank
    }
    return new Module(name, network, keys[0], keys[1], alpha, rank, d, u);
  }

  private static double integer(StateDict dict, TensorEntry a) {
    var data = dict.data(a.name());
    return switch ((int) data.byteSize()) {
      case 1 -> data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0);
      case 2 -> data.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
      case 4 -> data.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
      default -> data.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
    };
  }

  /** The file read. */
  public Path file() {
    return dict.file();
  }

  /** The key convention. */
  public Format format() {
    return format;
  }

  /** The modules, by name. */
  public List<Module> modules() {
    return modules;
  }

  /** Keys of no known LoRA form (they make a merge fail; {@code ldm4j inspect} lists them). */
  public List<String> unrecognised() {
    return unrecognised;
  }

  /** The module's down matrix as float32, {@code [r, in·kh·kw]} row-major. */
  float[] down(Module m) {
    return dict.toFloat(m.down()).toArray();
  }

  /** The module's up matrix as float32, {@code [out, r]} row-major. */
  float[] up(Module m) {
    return dict.toFloat(m.up()).toArray();
  }

  /** Closes the state dict when this file opened it. */
  @Override
  public void close() {
    if (owned) {
      dict.close();
    }
  }

  /** The module named {@code name}, if any. */
  public Optional<Module> module(String name) {
    return modules.stream().filter(m -> m.name().equals(name)).findFirst();
  }
}
