package io.github.ldm4j.checkpoint.lora;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.sd.CompVisNames;
import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import io.github.ldm4j.export.sd.ParameterSpec;
import io.github.ldm4j.export.sd.SdArchitecture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where each module of a {@link LoraFile} lands in an SD 1.x / 2.x checkpoint: the graph parameter
 * it modifies (diffusers / transformers naming, as {@link io.github.ldm4j.export.sd.SdGraphs} builds
 * them) and the CompVis key that stores it ({@link SdCheckpoint#storedWeight}, through {@link
 * CompVisNames}' maps).
 *
 * <p>Names: kohya {@code lora_unet_X} is the diffusers UNet module whose path, dots written as
 * underscores, is {@code X} (sd-scripts' {@code networks/lora.py} naming); the CompVis form some
 * trainers write ({@code lora_unet_input_blocks_1_1_proj_in}) is accepted too; {@code lora_te_X}
 * is the transformers CLIPTextModel module (for SD 2.x the names kohya gives OpenCLIP's tower after
 * converting it: q, k and v are the row blocks of the fused {@code attn.in_proj_weight}); diffusers
 * {@code unet.X} / {@code text_encoder.X} are the module paths themselves. Underscored names are
 * resolved by lookup against the architecture's modules, never by guessing where the dots were.
 * For SD 2.x the file's last text layer is known too: it maps, but no graph computes it (SD 2.x
 * conditions on the penultimate layer), so it has no effect.
 *
 * <p>A module that names no layer of the architecture is {@link #unmapped()}; one whose shapes do
 * not fit its layer (a LoRA for another width or family) fails {@link #of} naming both shapes.
 *
 * @param file the LoRA file
 * @param targets the mapped modules
 * @param unmapped the file's keys that modify nothing known (unmapped modules' keys and unrecognised keys)
 */
public record LoraMapping(LoraFile file, List<Target> targets, List<String> unmapped) {

  /**
   * One mapped module.
   *
   * @param module the LoRA module
   * @param parameter the graph parameter it modifies ({@code <module>.weight})
   * @param checkpointKey the CompVis key storing that weight ({@code …in_proj_weight[0/3]} for a fused part)
   * @param computed whether a graph computes it (false for SD 2.x's last text layer)
   */
  public record Target(LoraFile.Module module, String parameter, String checkpointKey, boolean computed) {
    /** Validates. */
    public Target {
      Objects.requireNonNull(module, "module");
      Objects.requireNonNull(parameter, "parameter");
      Objects.requireNonNull(checkpointKey, "checkpointKey");
    }
  }

  /** Copies. */
  public LoraMapping {
    Objects.requireNonNull(file, "file");
    targets = List.copyOf(targets);
    unmapped = List.copyOf(unmapped);
  }

  /**
   * Maps {@code lora}'s modules onto {@code checkpoint}'s architecture ({@link SdCheckpoint#architecture()}).
   *
   * @throws CheckpointFormatException naming the LoRA file, the module and both shapes when a module
   *     does not fit the layer it names
   */
  public static LoraMapping of(LoraFile lora, SdCheckpoint checkpoint, SdCheckpoint.UNetWeights unet)
      throws CheckpointFormatException {
    SdArchitecture a = checkpoint.architecture();
    Map<String, String> byName = names(lora.format(), checkpoint, a);
    Set<String> computed = new HashSet<>();
    for (ParameterSpec p : SdCheckpoint.parameters(a)) {
      computed.add(p.name());
    }
    List<Target> targets = new ArrayList<>();
    List<String> unmapped = new ArrayList<>();
    for (LoraFile.Module m : lora.modules()) {
      String module = byName.get(m.name());
      var stored = module == null ? java.util.Optional.<SdCheckpoint.StoredWeight>empty()
          : checkpoint.storedWeight(a, unet, module);
      if (stored.isEmpty()) {
        unmapped.add(m.down());
        unmapped.add(m.up());
        continue;
      }
      long[] w = stored.get().shape();
      long kernel = w.length == 4 ? w[2] * w[3] : 1;
      long downKernel = m.downShape().length == 4 ? m.downShape()[2] * m.downShape()[3] : 1;
      boolean fits = (w.length == 2 || w.length == 4) && m.out() == w[0] && m.downShape()[1] == w[1]
          && downKernel == kernel && (m.downShape().length != 4 || w.length != 4
              || m.downShape()[2] == w[2] && m.downShape()[3] == w[3]);
      if (!fits) {
        throw new CheckpointFormatException(lora.file(), "does not fit the model (" + SdCheckpoint.describe(checkpoint.family())
            + ", " + checkpoint.file().getFileName() + "): module " + m.name() + " has down " + Arrays.toString(m.downShape())
            + " and up " + Arrays.toString(m.upShape()) + ", but the layer it names, " + stored.get().key() + ", is "
            + Arrays.toString(w) + " (a LoRA for another model family or width?)");
      }
      String parameter = module + ".weight";
      targets.add(new Target(m, parameter, stored.get().key(), computed.contains(parameter)));
    }
    unmapped.addAll(lora.unrecognised());
    return new LoraMapping(lora, targets, unmapped);
  }

  /**
   * This mapping, when every key of the file is mapped.
   *
   * @throws CheckpointFormatException naming the file, the count and the first unmapped keys
   */
  public LoraMapping requireComplete() throws CheckpointFormatException {
    if (!unmapped.isEmpty()) {
      throw new CheckpointFormatException(file.file(), unmapped.size() + " of its keys modify no layer of the model, e.g. "
          + unmapped.subList(0, Math.min(5, unmapped.size())) + " (" + targets.size() + " modules mapped)");
    }
    return this;
  }

  /** LoRA module name → graph module name, for every module of the architecture, in the file's convention. */
  private static Map<String, String> names(LoraFile.Format format, SdCheckpoint checkpoint, SdArchitecture a) {
    Map<String, String> m = new HashMap<>();
    CompVisNames.unet(a.unet()).forEach((diffusers, compvis) -> {
      if (format == LoraFile.Format.KOHYA) {
        m.put("lora_unet_" + diffusers.replace('.', '_'), diffusers);
        m.putIfAbsent("lora_unet_" + compvis.substring(CompVisNames.UNET.length()).replace('.', '_'), diffusers);
      } else {
        m.put("unet." + diffusers, diffusers);
      }
    });
    // transformers names, for SD 1.x and 2.x alike (SdCheckpoint resolves SD 2.x's OpenCLIP keys)
    CompVisNames.text(checkpoint.storedText(a.text())).keySet().forEach(t -> {
      if (format == LoraFile.Format.KOHYA) {
        m.put("lora_te_" + t.replace('.', '_'), t);
      } else {
        m.put("text_encoder." + t, t);
      }
    });
    return m;
  }
}
