package io.github.ldm4j.folder;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A model folder in the diffusers / optimum layout (facts: {@code model_index.json}, {@code
 * scheduler/scheduler_config.json}, {@code tokenizer/}, {@code text_encoder/}, {@code unet/},
 * {@code vae_decoder/}, optional {@code vae_encoder/}), holding ONNX files ({@code
 * <component>/model.onnx}) or OpenVINO IR ({@code <component>/openvino_model.xml} + {@code .bin}).
 *
 * <p>Opening checks that the folder and the required components exist and names the missing file
 * otherwise; it reads the small JSON files eagerly and the networks not at all. Immutable.
 */
public final class ModelFolder {

  /** SD v1's VAE scale factor, used when no VAE config gives {@code scaling_factor}. */
  public static final double DEFAULT_SCALING_FACTOR = 0.18215;

  /** The network file format of a component. */
  public enum Format {
    /** {@code model.onnx} (weights possibly in {@code model.onnx_data} / {@code weights.pb}). */
    ONNX("model.onnx"),
    /** {@code openvino_model.xml} with {@code openvino_model.bin}. */
    OPENVINO_IR("openvino_model.xml");

    private final String fileName;

    Format(String fileName) {
      this.fileName = fileName;
    }

    /** The network file's name inside a component folder. */
    public String fileName() {
      return fileName;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final Set<ModelComponent> present;
  private final Optional<JsonNode> modelIndex;
  private final OptionalDouble scalingFactor;
  private final OptionalInt unetInChannels;
  private final Optional<Path> schedulerConfig;
  private final Optional<Path> tokenizerDir;

  private ModelFolder(Path root, Set<Format> formats) throws IOException {
    this.root = root;
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, "model folder does not exist or is not a directory");
    }
    Path index = root.resolve("model_index.json");
    this.modelIndex = Files.isRegularFile(index) ? Optional.of(readJson(index)) : Optional.empty();
    EnumSet<ModelComponent> found = EnumSet.noneOf(ModelComponent.class);
    for (ModelComponent c : ModelComponent.values()) {
      if (networkFile(root, c, formats).isPresent()) {
        found.add(c);
      } else if (c.required()) {
        List<String> checkpoints = checkpointFiles(root);
        if (!checkpoints.isEmpty()) {
          throw new NoSuchFileException(root.toString(), null, "is a folder of checkpoint files " + checkpoints
              + ", not a model folder (no " + c.folderName() + "/); give one checkpoint file as the model");
        }
        throw new NoSuchFileException(
            root.resolve(c.folderName()).resolve(formats.iterator().next().fileName()).toString(), null,
            "model folder lacks its " + c.folderName() + " network (looked for "
                + String.join(" or ", formats.stream().map(f -> c.folderName() + "/" + f.fileName()).toList()) + ")");
      }
    }
    this.present = found;
    this.scalingFactor = readScalingFactor(root);
    Path unetConfig = root.resolve("unet").resolve("config.json");
    if (Files.isRegularFile(unetConfig)) {
      JsonNode n = readJson(unetConfig).path("in_channels");
      this.unetInChannels = n.isInt() ? OptionalInt.of(n.intValue()) : OptionalInt.empty();
    } else {
      this.unetInChannels = OptionalInt.empty();
    }
    Path sched = root.resolve("scheduler").resolve("scheduler_config.json");
    this.schedulerConfig = Files.isRegularFile(sched) ? Optional.of(sched) : Optional.empty();
    Path tok = root.resolve("tokenizer");
    this.tokenizerDir = Files.isDirectory(tok) ? Optional.of(tok) : Optional.empty();
  }

  /** Single-file checkpoints directly in {@code root} (at most 5 names), for the error of a folder of them. */
  private static List<String> checkpointFiles(Path root) throws IOException {
    try (var files = Files.list(root)) {
      return files.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".safetensors") || n.endsWith(".ckpt") || n.endsWith(".pt"))
          .sorted().limit(5).toList();
    }
  }

  /**
   * Opens a folder whose networks are in one of {@code formats}.
   *
   * @throws NoSuchFileException naming the folder or the missing network file
   * @throws IOException for unreadable or malformed JSON (the message names the file)
   */
  public static ModelFolder open(Path root, Set<Format> formats) throws IOException {
    if (formats.isEmpty()) {
      throw new IllegalArgumentException("at least one network format is needed");
    }
    return new ModelFolder(root.toAbsolutePath().normalize(), EnumSet.copyOf(formats));
  }

  /** Opens a folder of ONNX networks. */
  public static ModelFolder openOnnx(Path root) throws IOException {
    return open(root, EnumSet.of(Format.ONNX));
  }

  /** The folder. */
  public Path root() {
    return root;
  }

  /** The model's name: the folder's name (for the generation parameters). */
  public String name() {
    Path n = root.getFileName();
    return n == null ? root.toString() : n.toString();
  }

  /** Whether the component's network is present. */
  public boolean has(ModelComponent component) {
    return present.contains(component);
  }

  /** The component's folder. */
  public Path componentDir(ModelComponent component) {
    return root.resolve(component.folderName());
  }

  /**
   * The component's network file in the first of {@code formats} present.
   *
   * @throws NoSuchFileException when the component has no network in those formats
   */
  public Path networkFile(ModelComponent component, Set<Format> formats) throws NoSuchFileException {
    return networkFile(root, component, formats)
        .orElseThrow(() -> new NoSuchFileException(
            componentDir(component).toString(), null, "no " + formats + " network for " + component.folderName()));
  }

  /** The VAE {@code scaling_factor} from {@code vae_decoder/config.json} or {@code vae/config.json}, if given. */
  public OptionalDouble configuredScalingFactor() {
    return scalingFactor;
  }

  /** The VAE scaling factor, {@link #DEFAULT_SCALING_FACTOR} when no config gives one. */
  public double scalingFactor() {
    return scalingFactor.orElse(DEFAULT_SCALING_FACTOR);
  }

  /** {@code in_channels} from {@code unet/config.json}, if present. */
  public OptionalInt unetInChannels() {
    return unetInChannels;
  }

  /** {@code scheduler/scheduler_config.json}, if present. */
  public Optional<Path> schedulerConfig() {
    return schedulerConfig;
  }

  /** The {@code tokenizer/} folder, if present. */
  public Optional<Path> tokenizerDir() {
    return tokenizerDir;
  }

  /** The {@code _class_name} of {@code model_index.json}, if present. */
  public Optional<String> pipelineClass() {
    return modelIndex.map(n -> n.path("_class_name")).filter(JsonNode::isTextual).map(JsonNode::asText);
  }

  private static Optional<Path> networkFile(Path root, ModelComponent c, Set<Format> formats) {
    for (Format f : formats) {
      Path p = root.resolve(c.folderName()).resolve(f.fileName());
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static OptionalDouble readScalingFactor(Path root) throws IOException {
    for (String dir : new String[] {"vae_decoder", "vae"}) {
      Path cfg = root.resolve(dir).resolve("config.json");
      if (Files.isRegularFile(cfg)) {
        JsonNode n = readJson(cfg).path("scaling_factor");
        if (n.isNumber()) {
          double v = n.doubleValue();
          if (!(v > 0) || !Double.isFinite(v)) {
            throw new IOException(cfg + ": scaling_factor must be a finite positive number, got " + v);
          }
          return OptionalDouble.of(v);
        }
      }
    }
    return OptionalDouble.empty();
  }

  /**
   * Reads a JSON file that must hold an object (every config of the layout does), naming it in any
   * error: an array, a string or a number there is a broken model, not an empty config.
   */
  public static JsonNode readJson(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    JsonNode n;
    try {
      n = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      // e.g. CharConversionException: bytes that Jackson's encoding detection takes for invalid UTF-32
      throw new IOException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (n == null || n.isMissingNode()) {
      throw new IOException(file + " is empty; expected a JSON object");
    }
    if (!n.isObject()) {
      throw new IOException(file + " holds a JSON " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
          + "; expected a JSON object");
    }
    return n;
  }

  @Override
  public String toString() {
    return "ModelFolder[" + root + ", components=" + present + "]";
  }
}
