package io.github.ldm4j.testkit.internal.folder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;
import io.github.ldm4j.testkit.sd.TextEncoderArchitecture;
import io.github.ldm4j.testkit.sd.UNetArchitecture;
import io.github.ldm4j.testkit.sd.VaeArchitecture;
import java.util.List;

/** The per-component {@code config.json} files, with the keys diffusers / transformers write. */
public final class ComponentConfigs {

  /** Key marking configs of testkit models, naming the family. */
  public static final String TESTKIT_KEY = "_ldm4j_testkit";

  private ComponentConfigs() {
  }

  /** Id of CLIP's start-of-text token (49406). */
  public static int bosId() {
    return ClipVocabulary.openAiClip().id(ClipVocabulary.START_OF_TEXT).orElseThrow();
  }

  /** Id of CLIP's end-of-text token (49407), also SD v1's padding. */
  public static int eosId() {
    return ClipVocabulary.openAiClip().id(ClipVocabulary.END_OF_TEXT).orElseThrow();
  }

  /** AutoencoderKL config (written for both vae_decoder and vae_encoder). */
  public static ObjectNode vae(VaeArchitecture a, int sampleSize, double scalingFactor, String family) {
    ObjectNode n = FolderWriter.JSON.objectNode();
    n.put("_class_name", "AutoencoderKL");
    n.put(TESTKIT_KEY, family);
    n.put("act_fn", "silu");
    n.set("block_out_channels", ints(a.blockChannels()));
    n.set("down_block_types", repeat("DownEncoderBlock2D", 4));
    n.put("in_channels", 3);
    n.put("latent_channels", a.latentChannels());
    n.put("layers_per_block", a.layersPerBlock());
    n.put("norm_num_groups", a.normGroups());
    n.put("out_channels", 3);
    n.put("sample_size", sampleSize);
    n.put("scaling_factor", scalingFactor);
    n.set("up_block_types", repeat("UpDecoderBlock2D", 4));
    return n;
  }

  /** UNet2DConditionModel config. */
  public static ObjectNode unet(UNetArchitecture a, int sampleSize, String family) {
    ObjectNode n = FolderWriter.JSON.objectNode();
    n.put("_class_name", "UNet2DConditionModel");
    n.put(TESTKIT_KEY, family);
    n.put("act_fn", "silu");
    n.put("attention_head_dim", a.attentionHeads());
    n.set("block_out_channels", ints(a.blockChannels()));
    n.put("center_input_sample", false);
    n.put("cross_attention_dim", a.contextDim());
    ArrayNode down = FolderWriter.JSON.arrayNode();
    ArrayNode up = FolderWriter.JSON.arrayNode();
    for (int i = 0; i < a.levels(); i++) {
      down.add(a.crossAttention().get(i) ? "CrossAttnDownBlock2D" : "DownBlock2D");
      up.add(a.crossAttention().get(a.levels() - 1 - i) ? "CrossAttnUpBlock2D" : "UpBlock2D");
    }
    n.set("down_block_types", down);
    n.put("downsample_padding", 1);
    n.put("flip_sin_to_cos", true);
    n.put("freq_shift", 0);
    n.put("in_channels", a.inChannels());
    n.put("layers_per_block", a.layersPerBlock());
    n.put("mid_block_scale_factor", 1);
    n.put("norm_eps", 1e-5);
    n.put("norm_num_groups", a.normGroups());
    n.put("out_channels", a.outChannels());
    n.put("sample_size", sampleSize);
    n.set("up_block_types", up);
    return n;
  }

  /** CLIPTextModel config. */
  public static ObjectNode text(TextEncoderArchitecture a, String family) {
    ObjectNode n = clipTextHead(family, a.eosTokenId());
    n.put("hidden_act", "quick_gelu");
    n.put("hidden_size", a.hiddenSize());
    n.put("intermediate_size", a.intermediateSize());
    n.put("layer_norm_eps", 1e-5);
    n.put("max_position_embeddings", a.maxPositions());
    n.put("model_type", "clip_text_model");
    n.put("num_attention_heads", a.heads());
    n.put("num_hidden_layers", a.layers());
    n.put("pad_token_id", eosId());
    n.put("vocab_size", a.vocabSize());
    return n;
  }

  private static ArrayNode ints(List<Integer> values) {
    ArrayNode a = FolderWriter.JSON.arrayNode();
    values.forEach(a::add);
    return a;
  }

  private static ArrayNode repeat(String s, int n) {
    ArrayNode a = FolderWriter.JSON.arrayNode();
    for (int i = 0; i < n; i++) {
      a.add(s);
    }
    return a;
  }

  /** The AutoencoderKL keys a pipeline reads, for a first stage that is not an AutoencoderKL. */
  public static ObjectNode vaeMinimal(int latentChannels, int sampleSize, double scalingFactor, String family) {
    ObjectNode n = FolderWriter.JSON.objectNode();
    n.put("_class_name", "AutoencoderKL");
    n.put(TESTKIT_KEY, family);
    n.put("in_channels", 3);
    n.put("latent_channels", latentChannels);
    n.put("out_channels", 3);
    n.put("sample_size", sampleSize);
    n.put("scaling_factor", scalingFactor);
    return n;
  }

  /** The UNet2DConditionModel keys a pipeline reads, for a denoiser that is not a UNet. */
  public static ObjectNode unetMinimal(int inChannels, int outChannels, int sampleSize, int contextDim,
      String family) {
    ObjectNode n = FolderWriter.JSON.objectNode();
    n.put("_class_name", "UNet2DConditionModel");
    n.put(TESTKIT_KEY, family);
    n.put("cross_attention_dim", contextDim);
    n.put("in_channels", inChannels);
    n.put("out_channels", outChannels);
    n.put("sample_size", sampleSize);
    return n;
  }

  /** The CLIPTextModel keys a pipeline reads, for a text encoder that is not a transformer. */
  public static ObjectNode textMinimal(int hiddenSize, String family) {
    ObjectNode n = clipTextHead(family, eosId());
    n.put("hidden_size", hiddenSize);
    n.put("max_position_embeddings", ClipVocabulary.DEFAULT_CONTEXT_LENGTH);
    n.put("model_type", "clip_text_model");
    n.put("pad_token_id", eosId());
    n.put("vocab_size", ClipVocabulary.openAiClip().size());
    return n;
  }

  /** The leading keys of every CLIPTextModel config: architectures, family marker, BOS and EOS ids. */
  private static ObjectNode clipTextHead(String family, int eosTokenId) {
    ObjectNode n = FolderWriter.JSON.objectNode();
    ArrayNode arch = FolderWriter.JSON.arrayNode();
    arch.add("CLIPTextModel");
    n.set("architectures", arch);
    n.put(TESTKIT_KEY, family);
    n.put("bos_token_id", bosId());
    n.put("eos_token_id", eosTokenId);
    return n;
  }
}
