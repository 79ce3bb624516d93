package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.lora.LoraFile;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.export.onnx.Initializer;
import io.github.ldm4j.export.onnx.OnnxGraph;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.WeightOverrides;
import io.github.ldm4j.spi.contract.PortType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A LoRA set applied without converting the checkpoint again: the weights it changes, merged ({@code
 * W + m · (alpha / r) · up · down}, {@link io.github.ldm4j.checkpoint.lora.LoraWeights}, the merge the
 * conversion does), as replacements of the initializers of the checkpoint's conversion without
 * LoRAs ({@link WeightOverrides}, keyed by the initializer names ldm4j's exporter gives those
 * parameters and encoded as it encodes them — float32 or float16 — so a network opened with them
 * computes what the conversion with the LoRAs merged computes). Only the touched parameters are
 * read, merged and held: a UNet-only LoRA replaces nothing in the text encoder; multipliers of 0
 * replace nothing at all.
 */
public final class LoraOverrides {

  private LoraOverrides() {}

  /**
   * The merged weights of {@code request}'s LoRAs ({@code request.export().loras()}) for the
   * conversion of {@code request} without them. The caller owns the result (native memory).
   *
   * @throws IOException naming the checkpoint or a LoRA file that cannot be read, is not a supported
   *     model or LoRA, or does not fit the model
   */
  public static WeightOverrides of(CheckpointFolders.Request request) throws IOException {
    Objects.requireNonNull(request, "request");
    if (request.export().loras().isEmpty()) {
      return WeightOverrides.NONE;
    }
    // the VAE file plays no part: LoRAs change the text encoder and the UNet only
    try (StateDict dict = StateDicts.open(request.checkpoint())) {
      return of(SdCheckpoint.of(dict, request.inference().hints()), request.export());
    }
  }

  /**
   * The merged weights of {@code export}'s LoRAs for {@code checkpoint} converted with {@code
   * export}'s options (the checkpoint's file stays open meanwhile). The caller owns the result.
   *
   * @throws IOException as {@link #of(CheckpointFolders.Request)}
   */
  public static WeightOverrides of(SdCheckpoint checkpoint, SdFolderExport export) throws IOException {
    return of(checkpoint, export, touched -> checkpoint.weights(checkpoint.architecture(), export.unetWeights()));
  }

  /**
   * The merged weights of {@code loras} for the model folder {@code folder}, which ldm4j converted
   * ({@link ConvertedFolder}: its text encoder and UNet initializers carry the conversion's names):
   * the LoRAs map onto the checkpoint the folder came from, and the base values of exactly the touched
   * parameters are read from the folder's initializers (inline or external data), merged as for a
   * checkpoint and encoded in the folder's element type. On a float32 folder the result is bit for bit
   * the checkpoint's ({@link #of(CheckpointFolders.Request)}); on a float16 one the base values are the
   * folder's float16 ones, so it may differ from a float16 conversion of a float32 checkpoint with the
   * LoRAs merged by float16 rounding. The caller owns the result (native memory).
   *
   * @throws io.github.ldm4j.checkpoint.CheckpointFormatException naming the folder when its weights
   *     cannot be mapped (not written by {@code ldm4j convert}: use the checkpoint), or naming a LoRA
   *     file that does not fit it
   * @throws IOException when the folder or a LoRA file cannot be read
   */
  public static WeightOverrides ofFolder(java.nio.file.Path folder, LoraSet loras) throws IOException {
    Objects.requireNonNull(folder, "folder");
    Objects.requireNonNull(loras, "loras");
    if (loras.isEmpty()) {
      return WeightOverrides.NONE;
    }
    ConvertedFolder converted = ConvertedFolder.read(folder);
    if (converted.precision().int8Weights()) {
      throw new io.github.ldm4j.checkpoint.CheckpointFormatException(folder, "its UNet weights are int8 "
          + "(converted with --precision " + converted.precision().cliName() + "), which a LoRA cannot be added to "
          + "afterwards; convert the checkpoint with the LoRA (--lora at conversion) or use the checkpoint file");
    }
    return of(converted.structure(), converted.export(loras), converted::weights);
  }

  /** The values a merge starts from, for the parameters the LoRAs touch. */
  @FunctionalInterface
  private interface BaseWeights {
    Weights of(Map<String, LoraFile.Network> touched) throws IOException;
  }

  private static WeightOverrides of(SdCheckpoint checkpoint, SdFolderExport export, BaseWeights base)
      throws IOException {
    export.requireComplete(checkpoint);
    try (LoraSet.Opened opened = export.loras().open(checkpoint, export.unetWeights())) {
      Map<String, LoraFile.Network> touched = opened.touched();
      if (touched.isEmpty()) {
        return WeightOverrides.NONE;
      }
      Weights merged = opened.merge(base.of(touched));
      Arena arena = Arena.ofShared();
      try {
        Map<ModelComponent, List<WeightOverrides.Weight>> byComponent = new EnumMap<>(ModelComponent.class);
        for (ModelComponent c : List.of(ModelComponent.TEXT_ENCODER, ModelComponent.UNET)) {
          LoraFile.Network network = c == ModelComponent.TEXT_ENCODER ? LoraFile.Network.TEXT_ENCODER : LoraFile.Network.UNET;
          if (!touched.containsValue(network)) {
            continue;
          }
          OnnxGraph graph = export.graph(c, checkpoint, merged);
          List<Initializer> wanted = graph.initializers().stream()
              .filter(i -> touched.get(i.name()) == network).toList();
          long expected = touched.values().stream().filter(n -> n == network).count();
          if (wanted.size() != expected) {
            throw new IllegalStateException(c.folderName() + " graph has " + wanted.size() + " of the " + expected
                + " parameters the LoRAs change");
          }
          WeightOverrides.Weight[] weights = new WeightOverrides.Weight[wanted.size()];
          List<MemorySegment> memory = new ArrayList<>();
          for (Initializer i : wanted) {
            memory.add(arena.allocate(i.byteSize(), 64));
          }
          // each parameter's delta is computed once, by the thread encoding it
          java.util.stream.IntStream.range(0, wanted.size()).parallel().forEach(k -> {
            Initializer i = wanted.get(k);
            MemorySegment m = memory.get(k);
            OnnxModelWriter.encodeValues(i, m.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            weights[k] = new WeightOverrides.Weight(i.name(), type(i), i.dims().stream().mapToLong(Long::longValue).toArray(), m);
          });
          byComponent.put(c, List.of(weights));
        }
        return new WeightOverrides(byComponent, arena);
      } catch (RuntimeException e) {
        arena.close();
        throw e;
      }
    }
  }

  private static PortType type(Initializer i) {
    return switch (i.elementType()) {
      case FLOAT -> PortType.FLOAT32;
      case FLOAT16 -> PortType.FLOAT16;
      default -> throw new IllegalStateException("LoRA-merged parameter " + i.name() + " is " + i.elementType());
    };
  }

}
