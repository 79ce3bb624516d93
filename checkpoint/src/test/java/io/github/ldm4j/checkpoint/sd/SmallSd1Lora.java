package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/**
 * A random kohya LoRA for {@link FullSizeCheckpointCommand#SMALL_SD1} (text width 64, UNet width 32):
 * rank 4, alpha 4, on a text-encoder MLP layer, a UNet self-attention projection and a 1×1-conv
 * {@code proj_in} — text encoder and UNet both changed. Shared by the CLI and server tests (in this
 * module's test-jar).
 */
public final class SmallSd1Lora {

  private SmallSd1Lora() {}

  /** Writes the LoRA of {@code seed} (values N(0, 0.5²)) with {@code metadata} to {@code file}. */
  public static void write(Path file, long seed, Map<String, String> metadata) throws IOException {
    Random r = new Random(seed);
    SafetensorsWriter w = new SafetensorsWriter();
    if (!metadata.isEmpty()) {
      w.metadata(metadata);
    }
    pair(w, r, "lora_te_text_model_encoder_layers_0_mlp_fc1", new int[] {4, 64}, new int[] {256, 4});
    pair(w, r, "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", new int[] {4, 32}, new int[] {32, 4});
    pair(w, r, "lora_unet_mid_block_attentions_0_proj_in", new int[] {4, 64, 1, 1}, new int[] {64, 4, 1, 1});
    w.write(file);
  }

  private static void pair(SafetensorsWriter w, Random r, String module, int[] down, int[] up) {
    w.add(module + ".lora_down.weight", random(r, down)).add(module + ".lora_up.weight", random(r, up))
        .add(module + ".alpha", Tensor.of(new float[] {4}, 1));
  }

  private static Tensor random(Random r, int[] dims) {
    float[] v = new float[Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * 0.5);
    }
    return Tensor.of(v, dims);
  }
}
