package io.github.ldm4j.export.sd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.export.folder.ComponentConfigs;
import io.github.ldm4j.export.folder.FolderWriter;
import io.github.ldm4j.export.sd.TextEncoderArchitecture;
import io.github.ldm4j.export.sd.UNetArchitecture;
import io.github.ldm4j.export.sd.VaeArchitecture;
import java.util.ArrayList;
import java.util.List;

/** The full {@code config.json} of each SD v1 component, from its architecture, with the keys diffusers / transformers write. */
public final class SdConfigs {

  private SdConfigs() {
  }

  /** AutoencoderKL config (written for both vae_decoder and vae_encoder). */
  public static ObjectNode vae(VaeArchitecture a, int sampleSize, double scalingFactor, String family) {
    ObjectNode n = ComponentConfigs.diffusersHead("AutoencoderKL", family);
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
    ObjectNode n = ComponentConfigs.diffusersHead("UNet2DConditionModel", family);
    n.put("act_fn", "silu");
    if (a.headChannels() > 0) {
      ArrayNode heads = FolderWriter.JSON.arrayNode();
      a.blockChannels().forEach(c -> heads.add(a.headsAt(c)));
      n.set("attention_head_dim", heads);
      n.put("use_linear_projection", a.linearProjection());
    } else {
      n.put("attention_head_dim", a.attentionHeads());
    }
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
    ObjectNode n = ComponentConfigs.clipTextHead(family, a.eosTokenId());
    n.put("hidden_act", a.quickGelu() ? "quick_gelu" : "gelu");
    n.put("hidden_size", a.hiddenSize());
    n.put("intermediate_size", a.intermediateSize());
    n.put("layer_norm_eps", 1e-5);
    n.put("max_position_embeddings", a.maxPositions());
    n.put("model_type", "clip_text_model");
    n.put("num_attention_heads", a.heads());
    n.put("num_hidden_layers", a.layers());
    n.put("pad_token_id", ComponentConfigs.eosId());
    n.put("vocab_size", a.vocabSize());
    return n;
  }

  /**
   * The text encoder architecture a {@link #text} config describes (the inverse of {@link #text}).
   *
   * @throws IllegalArgumentException naming the first missing or malformed key
   */
  public static TextEncoderArchitecture readText(JsonNode n) {
    return new TextEncoderArchitecture(integer(n, "vocab_size"), integer(n, "max_position_embeddings"),
        integer(n, "hidden_size"), integer(n, "num_hidden_layers"), integer(n, "num_attention_heads"),
        integer(n, "intermediate_size"), integer(n, "eos_token_id"), "quick_gelu".equals(string(n, "hidden_act")));
  }

  /**
   * The UNet architecture a {@link #unet} config describes (the inverse of {@link #unet}; a fixed head
   * count, or per-level head counts with {@code use_linear_projection}, whose channels per head are
   * then the first level's channels over its heads).
   *
   * @throws IllegalArgumentException naming the first missing or malformed key
   */
  public static UNetArchitecture readUNet(JsonNode n) {
    List<Integer> channels = integers(n, "block_out_channels");
    List<Boolean> attention = new ArrayList<>();
    for (JsonNode t : array(n, "down_block_types")) {
      attention.add(t.asText().startsWith("CrossAttn"));
    }
    JsonNode heads = n.get("attention_head_dim");
    int inChannels = integer(n, "in_channels");
    int outChannels = integer(n, "out_channels");
    int layers = integer(n, "layers_per_block");
    int context = integer(n, "cross_attention_dim");
    int groups = integer(n, "norm_num_groups");
    if (heads != null && heads.isArray() && !heads.isEmpty() && heads.get(0).isInt()) {
      int headChannels = channels.getFirst() / heads.get(0).asInt();
      return new UNetArchitecture(inChannels, outChannels, channels, attention, layers, heads.get(0).asInt(), context,
          groups, headChannels, n.path("use_linear_projection").asBoolean(false));
    }
    return new UNetArchitecture(inChannels, outChannels, channels, attention, layers, integer(n, "attention_head_dim"),
        context, groups);
  }

  /**
   * The VAE architecture a {@link #vae} config describes (the inverse of {@link #vae}).
   *
   * @throws IllegalArgumentException naming the first missing or malformed key
   */
  public static VaeArchitecture readVae(JsonNode n) {
    return new VaeArchitecture(integers(n, "block_out_channels"), integer(n, "layers_per_block"),
        integer(n, "latent_channels"), integer(n, "norm_num_groups"));
  }

  private static int integer(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isInt()) {
      throw new IllegalArgumentException("config key " + key + " is " + (v == null ? "missing" : v + ", not an integer"));
    }
    return v.asInt();
  }

  private static String string(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("config key " + key + " is " + (v == null ? "missing" : v + ", not a string"));
    }
    return v.asText();
  }

  private static JsonNode array(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || !v.isArray() || v.isEmpty()) {
      throw new IllegalArgumentException("config key " + key + " is " + (v == null ? "missing" : v + ", not a list"));
    }
    return v;
  }

  private static List<Integer> integers(JsonNode n, String key) {
    List<Integer> out = new ArrayList<>();
    for (JsonNode v : array(n, key)) {
      if (!v.isInt()) {
        throw new IllegalArgumentException("config key " + key + " holds " + v + ", not an integer");
      }
      out.add(v.asInt());
    }
    return out;
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
}
