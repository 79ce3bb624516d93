package io.github.ldm4j.checkpoint.lora;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.sd.SdCheckpoint;
import io.github.ldm4j.export.sd.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The LoRAs merged into a model, in order (several stack: their deltas add up).
 *
 * @param loras the files and their multipliers
 */
public record LoraSet(List<AppliedLora> loras) {

  /** No LoRA. */
  public static final LoraSet NONE = new LoraSet(List.of());

  /** Copies. */
  public LoraSet {
    loras = List.copyOf(loras);
  }

  /** Whether there is no LoRA. */
  public boolean isEmpty() {
    return loras.isEmpty();
  }

  /**
   * A cache identity of the set: each file's absolute path, size and modification time and its
   * multipliers (the files are not hashed).
   *
   * @throws IOException when a file cannot be read
   */
  public String identity() throws IOException {
    StringBuilder b = new StringBuilder();
    for (AppliedLora l : loras) {
      b.append(l).append('|').append(Files.size(l.file())).append('|')
          .append(Files.getLastModifiedTime(l.file()).toMillis()).append(';');
    }
    return b.toString();
  }

  /**
   * The LoRAs opened and mapped onto a checkpoint, ready to merge; closing closes the files.
   *
   * @param files the opened files, in order
   * @param contributions the mapped files with their multipliers
   */
  public record Opened(List<LoraFile> files, List<LoraWeights.Contribution> contributions) implements AutoCloseable {
    /** Copies. */
    public Opened {
      files = List.copyOf(files);
      contributions = List.copyOf(contributions);
    }

    /** The graph parameters the merge changes, with their networks ({@link LoraWeights#touched}). */
    public java.util.Map<String, LoraFile.Network> touched() {
      return LoraWeights.touched(contributions);
    }

    /** {@code base} with the LoRAs merged in ({@link LoraWeights#merged}). */
    public Weights merge(Weights base) {
      return LoraWeights.merged(base, contributions);
    }

    @Override
    public void close() {
      files.forEach(LoraFile::close);
    }
  }

  /**
   * Opens every file and maps it onto {@code checkpoint}, refusing unmapped keys.
   *
   * @throws IOException naming the LoRA file when it cannot be read, is not a LoRA ldm4j merges, has
   *     keys that modify nothing of the model, or does not fit the model's widths
   */
  public Opened open(SdCheckpoint checkpoint, SdCheckpoint.UNetWeights unet) throws IOException {
    Objects.requireNonNull(checkpoint, "checkpoint");
    List<LoraFile> files = new ArrayList<>();
    List<LoraWeights.Contribution> contributions = new ArrayList<>();
    try {
      for (AppliedLora l : loras) {
        LoraFile f = LoraFile.open(l.file());
        files.add(f);
        LoraMapping mapping = LoraMapping.of(f, checkpoint, unet).requireComplete();
        contributions.add(new LoraWeights.Contribution(mapping, l.teMultiplier(), l.unetMultiplier()));
      }
      return new Opened(files, contributions);
    } catch (IOException | RuntimeException e) {
      files.forEach(LoraFile::close);
      throw e;
    }
  }
}
