package io.github.ldm4j.checkpoint.sd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.lora.LoraFile;
import io.github.ldm4j.export.folder.ComponentConfigs;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.ElementType;
import io.github.ldm4j.export.onnx.Initializer;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.SdConfigs;
import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.onnx.OnnxModelIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model folder ldm4j converted from an SD 1.x / 2.x checkpoint ({@link SdFolderExport}, {@code ldm4j
 * convert}), seen as the checkpoint it came from, so LoRAs apply to it at load time ({@link
 * LoraOverrides#ofFolder}).
 *
 * <p><b>Why this route.</b> Such a folder's text encoder and UNet initializers are named and shaped
 * exactly as {@link SdFolderExport#graph} builds them for the architecture its configs describe
 * ({@link SdConfigs#readText} and the others, the inverse of what the conversion wrote): the
 * architecture gives the checkpoint's keys and shapes ({@link SdCheckpoint#structure}), onto which a
 * LoRA maps as it maps onto the checkpoint file, and the touched parameters' base values are the
 * folder's initializers of the same names, already in the graph's layout ({@link #weights}). So the
 * merge and its encoding are the checkpoint path's own ({@link LoraOverrides}), unchanged; no second
 * name mapping exists. A folder is accepted only when its configs carry the conversion's family
 * marker ({@link SdFolderExport#FAMILY}) and every parameter of both graphs is an initializer of the
 * same name, shape and element type; anything else (an optimum export with anonymous or folded
 * weights, a folder of another family) is refused naming the folder.
 *
 * @param folder the model folder
 * @param architecture the architecture its configs describe
 * @param family SD 1.x (OpenAI CLIP text, QuickGELU) or SD 2.x (OpenCLIP, GELU)
 * @param precision the element type of its weights
 */
public record ConvertedFolder(Path folder, SdArchitecture architecture, SdCheckpoint.Family family,
    Precision precision) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "model.onnx";

  /** Validates. */
  public ConvertedFolder {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(precision, "precision");
  }

  /**
   * Reads {@code folder} as a folder ldm4j converted.
   *
   * @throws CheckpointFormatException naming the folder when its weights cannot be mapped to the
   *     checkpoint's layers (not written by {@code ldm4j convert}): a LoRA needs the checkpoint then
   * @throws IOException when a config or model file cannot be read
   */
  public static ConvertedFolder read(Path folder) throws IOException {
    Objects.requireNonNull(folder, "folder");
    JsonNode text = config(folder, ModelComponent.TEXT_ENCODER);
    JsonNode unet = config(folder, ModelComponent.UNET);
    JsonNode vae = config(folder, ModelComponent.VAE_DECODER);
    SdArchitecture a;
    try {
      a = new SdArchitecture(SdConfigs.readText(text), SdConfigs.readUNet(unet), SdConfigs.readVae(vae));
    } catch (IllegalArgumentException e) {
      throw unmappable(folder, "its configs do not describe an SD 1.x / 2.x model (" + e.getMessage() + ")");
    }
    SdCheckpoint.Family family = a.text().quickGelu() ? SdCheckpoint.Family.SD1 : SdCheckpoint.Family.SD2;
    Path unetModel = folder.resolve(ModelComponent.UNET.folderName()).resolve(MODEL);
    Precision precision = OnnxModelIndex.read(unetModel, index -> {
      if (index.initializerNames().stream().anyMatch(index::isFloat16)) {
        return Precision.FP16;
      }
      // int8 conv weights are 4-D ([out, in, k, k]); int8-linear has only 2-D ([in, out]) int8 weights
      if (index.initializerNames().stream().anyMatch(n -> index.isInt8(n) && index.dims(n).orElseThrow().length == 4)) {
        return Precision.INT8;
      }
      return index.initializerNames().stream().anyMatch(index::isInt8) ? Precision.INT8_LINEAR : Precision.FP32;
    });
    ConvertedFolder f = new ConvertedFolder(folder, a, family, precision);
    f.requireNamed();
    return f;
  }

  /**
   * Whether {@code folder}'s text encoder and UNet configs carry the conversion's family marker: the
   * cheap check of what {@link #read} then verifies (every parameter an initializer of the same
   * name, shape and type), for front ends that decide early whether LoRAs may name a folder.
   */
  public static boolean isConverted(Path folder) {
    try {
      config(folder, ModelComponent.TEXT_ENCODER);
      config(folder, ModelComponent.UNET);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The checkpoint this folder was converted from, as keys and shapes ({@link SdCheckpoint#structure}). */
  public SdCheckpoint structure() {
    return SdCheckpoint.structure(folder, architecture, family);
  }

  /** The conversion options whose graphs this folder's initializers are, with {@code loras}. */
  SdFolderExport export(io.github.ldm4j.checkpoint.lora.LoraSet loras) {
    SdFolderExport d = SdFolderExport.DEFAULTS;
    return new SdFolderExport(d.flavor(), precision, d.storage(), d.unetWeights(), d.imageSize(), d.prediction(),
        d.scaleFactor(), loras);
  }

  /**
   * The folder's values of the {@code touched} parameters (read now, whether inline or in external
   * data, as float32), the others without values (never read: only touched parameters are encoded).
   *
   * @throws IOException naming the model file that cannot be read
   */
  Weights weights(Map<String, LoraFile.Network> touched) throws IOException {
    Map<String, float[]> values = new HashMap<>();
    for (LoraFile.Network n : LoraFile.Network.values()) {
      List<String> names = touched.entrySet().stream().filter(e -> e.getValue() == n).map(Map.Entry::getKey).toList();
      if (names.isEmpty()) {
        continue;
      }
      ModelComponent c = n == LoraFile.Network.TEXT_ENCODER ? ModelComponent.TEXT_ENCODER : ModelComponent.UNET;
      Path model = folder.resolve(c.folderName()).resolve(MODEL);
      OnnxModelIndex.read(model, index -> {
        for (String name : names) {
          values.put(name, index.floats(name).orElseThrow(() -> new IOException(model + " has no initializer " + name)));
        }
        return null;
      });
    }
    return spec -> {
      float[] v = values.get(spec.name());
      if (v == null) {
        return (start, dst, count) -> {
          throw new IllegalStateException(folder + ": parameter " + spec.name() + " is not touched by the LoRAs");
        };
      }
      return (start, dst, count) -> System.arraycopy(v, Math.toIntExact(start), dst, 0, count);
    };
  }

  /** Checks that every parameter of the text encoder and UNet graphs is an initializer of the same name, shape and type. */
  private void requireNamed() throws IOException {
    SdCheckpoint structure = structure();
    SdFolderExport export = export(io.github.ldm4j.checkpoint.lora.LoraSet.NONE);
    Weights none = spec -> (start, dst, count) -> {
      throw new IllegalStateException("structure only");
    };
    for (ModelComponent c : List.of(ModelComponent.TEXT_ENCODER, ModelComponent.UNET)) {
      List<Initializer> parameters = export.graph(c, structure, none).initializers().stream()
          .filter(i -> i.role() == Initializer.Role.PARAMETER).toList();
      Path model = folder.resolve(c.folderName()).resolve(MODEL);
      String mismatch = OnnxModelIndex.read(model, index -> {
        java.util.Set<String> names = new java.util.HashSet<>(index.initializerNames());
        for (Initializer i : parameters) {
          long[] want = i.dims().stream().mapToLong(Long::longValue).toArray();
          var have = index.dims(i.name());
          if (have.isEmpty() || !names.contains(i.name())) {
            return "its " + c.folderName() + " has no initializer " + i.name();
          }
          if (!Arrays.equals(have.get(), want)) {
            return "its " + c.folderName() + " initializer " + i.name() + " is " + Arrays.toString(have.get())
                + ", the architecture its configs describe needs " + Arrays.toString(want);
          }
          if (index.isFloat16(i.name()) != (i.elementType() == ElementType.FLOAT16)) {
            return "its " + c.folderName() + " initializer " + i.name() + " is not " + i.elementType();
          }
        }
        return null;
      });
      if (mismatch != null) {
        throw unmappable(folder, mismatch);
      }
    }
  }

  private static JsonNode config(Path folder, ModelComponent c) throws IOException {
    Path file = folder.resolve(c.folderName()).resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw unmappable(folder, "it has no " + folder.relativize(file));
    }
    JsonNode n = JSON.readTree(file.toFile());
    if (!SdFolderExport.FAMILY.equals(n.path(ComponentConfigs.FAMILY_KEY).asText(null))) {
      throw unmappable(folder, "it was not written by ldm4j convert (" + folder.relativize(file) + " lacks "
          + ComponentConfigs.FAMILY_KEY + " = " + SdFolderExport.FAMILY + ")");
    }
    return n;
  }

  private static CheckpointFormatException unmappable(Path folder, String why) {
    return new CheckpointFormatException(folder, "LoRAs apply to a model folder only when its weights carry the names "
        + "ldm4j's conversion gives them (a folder written by ldm4j convert), and " + why
        + ": give the checkpoint file (.safetensors / .ckpt) as the model to use LoRAs");
  }
}
