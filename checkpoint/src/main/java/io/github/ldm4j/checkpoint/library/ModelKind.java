package io.github.ldm4j.checkpoint.library;

import java.util.List;
import java.util.Locale;

/**
 * What a model library holds, each in its own folder, named as AUTOMATIC1111 lays out {@code
 * models/}, with the file extensions A1111 lists there.
 */
public enum ModelKind {
  /** Full checkpoints ({@code --model NAME}). */
  CHECKPOINT("Stable-diffusion", "checkpoint", List.of(".safetensors", ".ckpt")),
  /** VAEs ({@code --vae NAME}). */
  VAE("VAE", "VAE", List.of(".safetensors", ".ckpt", ".pt")),
  /** LoRAs ({@code <lora:NAME:w>}, {@code --lora NAME}). */
  LORA("Lora", "LoRA", List.of(".safetensors", ".pt", ".ckpt")),
  /** Textual-inversion embeddings. */
  EMBEDDING("embeddings", "embedding", List.of(".pt", ".safetensors", ".bin"));

  private final String folder;
  private final String label;
  private final List<String> extensions;

  ModelKind(String folder, String label, List<String> extensions) {
    this.folder = folder;
    this.label = label;
    this.extensions = extensions;
  }

  /** The conventional sub-folder of a models directory. */
  public String folder() {
    return folder;
  }

  /** The word for one entry, in messages. */
  public String label() {
    return label;
  }

  /** The file extensions scanned, lower case, in lookup order. */
  public List<String> extensions() {
    return extensions;
  }

  /** The extension of {@code fileName} this kind scans, or null. */
  String extensionOf(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    for (String e : extensions) {
      if (lower.endsWith(e) && lower.length() > e.length()) {
        return fileName.substring(fileName.length() - e.length());
      }
    }
    return null;
  }
}
