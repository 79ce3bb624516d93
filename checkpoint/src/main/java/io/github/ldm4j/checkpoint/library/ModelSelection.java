package io.github.ldm4j.checkpoint.library;

import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.checkpoint.sd.ConvertedFolder;
import io.github.ldm4j.conditioning.prompt.LoraTag;
import io.github.ldm4j.generate.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one generation opens and how its images are traced: a model (a single-file checkpoint, or a
 * model folder), an optional separate VAE file, and the LoRAs merged into the checkpoint, by the
 * names the user gave. The one resolution of "library + prompt tags → what to open" shared by the
 * CLI ({@code generate}, {@code serve}) and the HTTP APIs: LoRA names are looked up in the
 * library's LoRA folder ({@link #resolveLoras}), the set to merge leaves out LoRAs at multiplier 0
 * ({@link #loraSet}), and {@link #provenance} writes the {@code Model hash}, {@code Model}, {@code
 * VAE hash}, {@code VAE} and {@code Lora hashes} of AUTOMATIC1111's parameters text.
 *
 * @param model the checkpoint file or model folder
 * @param vae a separate VAE file, if any (checkpoints only)
 * @param loras the LoRAs, in order (checkpoints and folders ldm4j converted only)
 */
public record ModelSelection(Path model, Optional<Path> vae, List<NamedLora> loras) {

  /**
   * Validates: a separate VAE needs a checkpoint file (it replaces the checkpoint's before the
   * conversion); LoRAs need a checkpoint file or a model folder ldm4j converted ({@link
   * ConvertedFolder#isConverted}: its weights carry the names LoRAs map onto; {@link
   * ConvertedFolder#read} verifies them when it is opened).
   *
   * @throws IllegalArgumentException naming the model folder
   */
  public ModelSelection {
    model = model.toAbsolutePath().normalize();
    Objects.requireNonNull(vae, "vae");
    loras = List.copyOf(loras);
    if (!isCheckpoint(model) && vae.isPresent()) {
      throw new IllegalArgumentException("a separate VAE is merged into a checkpoint's weights: " + model
          + " is a model folder, not a checkpoint file");
    }
    if (!isCheckpoint(model) && !loras.isEmpty() && !ConvertedFolder.isConverted(model)) {
      throw new IllegalArgumentException("LoRAs are merged into a checkpoint's weights: " + model + " is a model folder, "
          + "not a checkpoint file, and not one ldm4j converted (whose weights LoRAs map onto); give the checkpoint file");
    }
  }

  /** {@code model} alone. */
  public static ModelSelection of(Path model) {
    return new ModelSelection(model, Optional.empty(), List.of());
  }

  /** Whether {@code model} is a single-file checkpoint rather than a model folder. */
  public static boolean isCheckpoint(Path model) {
    return Files.isRegularFile(model);
  }

  /** Whether the model is a single-file checkpoint. */
  public boolean isCheckpoint() {
    return isCheckpoint(model);
  }

  /**
   * The LoRAs {@code tags} name (a prompt's {@code <lora:…>} tags, a request's explicit list), each
   * looked up by name in {@code library}'s LoRA folder — never as a path — with the tag's
   * multipliers. {@code hint} says how to configure a library (the front end's options), for the
   * error without one.
   *
   * @throws IllegalArgumentException naming the tag when there is no library or it has no LoRA
   *     folder, for an unsafe name, and for a name the folder does not hold (listing what it holds)
   * @throws IOException when the folder cannot be read
   */
  public static List<NamedLora> resolveLoras(Optional<ModelLibrary> library, List<LoraTag> tags, String hint)
      throws IOException {
    List<NamedLora> out = new ArrayList<>();
    for (LoraTag t : tags) {
      if (library.isEmpty() || library.get().folder(ModelKind.LORA).isEmpty()) {
        throw new IllegalArgumentException("<lora:" + t.name() + "> needs a LoRA folder: " + hint);
      }
      ModelEntry e;
      try {
        e = library.get().require(ModelKind.LORA, t.name());
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException("<lora:" + t.name() + ">: " + x.getMessage(), x);
      }
      out.add(new NamedLora(t.name(), new AppliedLora(e.file(), t.teMultiplier(), t.unetMultiplier())));
    }
    return out;
  }

  /**
   * What is merged: the LoRAs in order, leaving out those at multiplier 0 for both networks (they
   * change no weight, so the conversion without them serves).
   */
  public LoraSet loraSet() {
    return new LoraSet(loras.stream().map(NamedLora::lora)
        .filter(l -> l.teMultiplier() != 0 || l.unetMultiplier() != 0).toList());
  }

  /**
   * What the parameters text says of the prompts and files, as AUTOMATIC1111 writes it: the prompts
   * as written, and for a checkpoint its short hash and name (the file name without extension), the
   * VAE's short hash and file name, each LoRA's short hash by the name it was given (those at
   * multiplier 0 too: the prompt names them). A model folder has no {@code Model hash}.
   *
   * @throws IOException when a file cannot be read for its hash
   */
  public Provenance provenance(String prompt, String negativePrompt, FileHashes hashes) throws IOException {
    Optional<String> modelHash = Optional.empty();
    Optional<String> name = Optional.empty();
    if (isCheckpoint()) {
      modelHash = Optional.of(ModelLibrary.shortHash(ModelKind.CHECKPOINT, model, hashes));
      name = Optional.of(stem(model));
    }
    Optional<String> vaeHash = vae.isPresent()
        ? Optional.of(ModelLibrary.shortHash(ModelKind.VAE, vae.get(), hashes)) : Optional.empty();
    Map<String, String> loraHashes = new LinkedHashMap<>();
    for (NamedLora l : loras) {
      loraHashes.put(l.name(), ModelLibrary.shortHash(ModelKind.LORA, l.lora().file(), hashes));
    }
    return new Provenance(prompt, negativePrompt, modelHash, name, vaeHash,
        vae.map(f -> f.getFileName().toString()), loraHashes);
  }

  /** The file name without its extension. */
  public static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
