package io.github.ldm4j.checkpoint.sd;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Parameterization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What a CompVis inference config ({@code v1-inference.yaml}, {@code v2-inference-v.yaml}, or the
 * {@code .yaml} a model ships beside its checkpoint, as AUTOMATIC1111 reads it) says that a
 * checkpoint's tensors cannot: {@code model.params.unet_config.params.num_heads} / {@code
 * num_head_channels}, {@code model.params.parameterization}, {@code model.params.scale_factor} and
 * {@code model.params.conditioning_key} (which the tensors also tell: {@link SdCheckpoint} checks the
 * two agree). Everything else in the file (targets, trainer settings, the sizes the shapes already
 * give) is ignored. The file is parsed as data only (no YAML tags are resolved to objects) and
 * bounded in size.
 *
 * <p>{@code conditioning_key} takes CompVis' {@code DiffusionWrapper} values {@code crossattn},
 * {@code concat} and {@code hybrid}; a null or absent key states nothing, and the checkpoint's
 * tensors decide (CompVis' own fallback for an absent key, {@code concat} unless {@code concat_mode:
 * false}, is not followed: SD configs always state the key, and a partial config written for the
 * heads or the parameterization must not change the model). {@code adm}, {@code hybrid-adm} and
 * {@code crossattn-adm} (class- or image-embedding conditioning: SD unCLIP, the x4 upscaler) and any
 * other value are refused naming the value.
 *
 * @param numHeads UNet attention heads, when the config fixes them ({@code num_heads} > 0)
 * @param numHeadChannels UNet channels per head, when the config sets them ({@code num_head_channels} > 0)
 * @param parameterization {@code eps} or {@code v} (CompVis' default is eps)
 * @param scaleFactor the latent scale factor ({@code scale_factor})
 * @param conditioningKey the conditioning key the config states ({@code crossattn}, {@code concat} or
 *     {@code hybrid}; never {@link ConditioningKey#NONE}: CompVis' None is the absent key)
 */
public record InferenceConfig(OptionalInt numHeads, OptionalInt numHeadChannels,
    Optional<Parameterization> parameterization, OptionalDouble scaleFactor, Optional<ConditioningKey> conditioningKey) {

  /** The largest config read (real ones are a few KB). */
  public static final long MAX_BYTES = 1 << 20;

  /** Nothing set: the family's rules apply. */
  public static final InferenceConfig NONE = new InferenceConfig(OptionalInt.empty(), OptionalInt.empty(),
      Optional.empty(), OptionalDouble.empty(), Optional.empty());

  /** The {@code conditioning_key} values of CompVis / Stability AI ldm4j cannot run (class- or image-embedding {@code y}). */
  private static final List<String> ADM_KEYS = List.of("adm", "hybrid-adm", "crossattn-adm");

  /** Validates. */
  public InferenceConfig {
    Objects.requireNonNull(numHeads, "numHeads");
    Objects.requireNonNull(numHeadChannels, "numHeadChannels");
    Objects.requireNonNull(parameterization, "parameterization");
    Objects.requireNonNull(scaleFactor, "scaleFactor");
    Objects.requireNonNull(conditioningKey, "conditioningKey");
    if (conditioningKey.equals(Optional.of(ConditioningKey.NONE))) {
      throw new IllegalArgumentException("a config states crossattn, concat or hybrid; CompVis' None is an empty key");
    }
  }

  /** The detection hints of this config (its conditioning key is checked against the tensors). */
  public SdCheckpoint.Hints hints() {
    return new SdCheckpoint.Hints(numHeadChannels, numHeads, conditioningKey);
  }

  /** The config beside {@code checkpoint}: the same base name with {@code .yaml} (A1111's convention), if present. */
  public static Optional<Path> beside(Path checkpoint) {
    String name = checkpoint.getFileName().toString();
    int dot = name.lastIndexOf('.');
    Path yaml = checkpoint.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".yaml");
    return Files.isRegularFile(yaml) ? Optional.of(yaml) : Optional.empty();
  }

  /**
   * What {@code file} says, or {@link #NONE} without one.
   *
   * @throws IOException naming the config when it cannot be read or is not a CompVis config
   */
  public static InferenceConfig read(java.util.Optional<Path> file) throws IOException {
    return file.isPresent() ? read(file.get()) : NONE;
  }

  /**
   * Reads {@code file}.
   *
   * @throws CheckpointFormatException naming the file and the field when it is not a CompVis config
   *     or a field has the wrong type or value
   */
  public static InferenceConfig read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_BYTES) {
      throw new CheckpointFormatException(file, "is " + size + " bytes, more than an inference config (" + MAX_BYTES + ")");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return parse(file, in.readAllBytes());
    }
  }

  /**
   * Parses the bytes of {@code file}.
   *
   * @throws CheckpointFormatException as {@link #read}
   */
  public static InferenceConfig parse(Path file, byte[] yaml) throws CheckpointFormatException {
    JsonNode root;
    try {
      YAMLFactory factory = YAMLFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1 << 16).build())
          .build();
      root = new ObjectMapper(factory).readTree(yaml);
    } catch (JacksonException | RuntimeException e) {
      throw new CheckpointFormatException(file, "is not valid YAML: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new CheckpointFormatException(file, "cannot be parsed: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !root.path("model").path("params").isObject()) {
      throw new CheckpointFormatException(file, "is not a CompVis inference config (no model.params mapping)");
    }
    JsonNode params = root.path("model").path("params");
    JsonNode unet = params.path("unet_config").path("params");
    OptionalInt heads = positiveInt(file, unet, "model.params.unet_config.params.num_heads");
    OptionalInt headChannels = positiveInt(file, unet, "model.params.unet_config.params.num_head_channels");
    Optional<Parameterization> parameterization = Optional.empty();
    JsonNode p = params.get("parameterization");
    if (p != null && !p.isNull()) {
      if (!p.isTextual()) {
        throw new CheckpointFormatException(file, "model.params.parameterization must be a string, got " + p.getNodeType());
      }
      try {
        parameterization = Optional.of(Parameterization.fromName(p.asText()));
      } catch (IllegalArgumentException e) {
        throw new CheckpointFormatException(file, "model.params.parameterization: " + e.getMessage());
      }
    }
    OptionalDouble scale = OptionalDouble.empty();
    JsonNode sf = params.get("scale_factor");
    if (sf != null && !sf.isNull()) {
      if (!sf.isNumber() || !(sf.asDouble() > 0) || !Double.isFinite(sf.asDouble())) {
        throw new CheckpointFormatException(file, "model.params.scale_factor must be a positive number, got " + sf);
      }
      scale = OptionalDouble.of(sf.asDouble());
    }
    return new InferenceConfig(heads, headChannels, parameterization, scale, conditioningKey(file, params));
  }

  /** {@code model.params.conditioning_key}: a CompVis name ldm4j runs, or empty when null or absent. */
  private static Optional<ConditioningKey> conditioningKey(Path file, JsonNode params) throws CheckpointFormatException {
    String field = "model.params.conditioning_key";
    JsonNode k = params.get("conditioning_key");
    // Jackson reads YAML's empty value ("conditioning_key:", None to PyYAML and so to CompVis) as ""
    if (k == null || k.isNull() || k.isTextual() && k.asText().isEmpty()) {
      return Optional.empty();
    }
    if (!k.isTextual()) {
      throw new CheckpointFormatException(file, field + " must be a string, got " + k.getNodeType());
    }
    String name = k.asText();
    String supported = "; ldm4j runs " + SdCheckpoint.CONVERTED_KEYS;
    if (ADM_KEYS.contains(name)) {
      throw new CheckpointFormatException(file, field + " '" + name + "' is not supported: it feeds a class or image "
          + "embedding (y) to the UNet, as SD unCLIP and the x4 upscaler do" + supported);
    }
    return Arrays.stream(ConditioningKey.values())
        .filter(c -> c != ConditioningKey.NONE && c.compvisName().equals(name))
        .findFirst()
        .map(Optional::of)
        .orElseThrow(() -> new CheckpointFormatException(file, field + " '" + name + "' is unknown: CompVis' values "
            + "are crossattn, concat, hybrid and adm (and null)" + supported));
  }

  /** A field that is absent, -1 (CompVis' "unset") or a positive integer. */
  private static OptionalInt positiveInt(Path file, JsonNode parent, String path) throws CheckpointFormatException {
    JsonNode n = parent.get(path.substring(path.lastIndexOf('.') + 1));
    if (n == null || n.isNull()) {
      return OptionalInt.empty();
    }
    if (!n.isInt()) {
      throw new CheckpointFormatException(file, path + " must be an integer, got " + n);
    }
    int v = n.intValue();
    if (v == -1) {
      return OptionalInt.empty();
    }
    if (v <= 0) {
      throw new CheckpointFormatException(file, path + " must be positive or -1 (unset), got " + v);
    }
    return OptionalInt.of(v);
  }
}
