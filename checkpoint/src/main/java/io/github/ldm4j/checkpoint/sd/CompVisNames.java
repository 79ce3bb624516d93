package io.github.ldm4j.checkpoint.sd;

import io.github.ldm4j.export.sd.TextEncoderArchitecture;
import io.github.ldm4j.export.sd.UNetArchitecture;
import io.github.ldm4j.export.sd.VaeArchitecture;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each parameter of ldm4j's SD v1 graphs (named like the diffusers / transformers modules,
 * as {@link io.github.ldm4j.export.sd.SdGraphs} builds them) lives in a CompVis-layout checkpoint
 * ({@code model.diffusion_model.*}, {@code first_stage_model.*}, {@code
 * cond_stage_model.transformer.*}). The maps are derived from the architecture by walking the
 * networks the way both codes lay them out:
 *
 * <ul>
 *   <li>UNet: CompVis numbers its blocks ({@code input_blocks.N}, {@code middle_block.N}, {@code
 *       output_blocks.N}; in a level, {@code .0} is the ResBlock and {@code .1} the
 *       SpatialTransformer) where diffusers nests them ({@code down_blocks.L.resnets.J}, {@code
 *       .attentions.J}); ResBlock layers are {@code in_layers.0/2}, {@code emb_layers.1}, {@code
 *       out_layers.0/3}, {@code skip_connection} for {@code norm1}, {@code conv1}, {@code
 *       time_emb_proj}, {@code norm2}, {@code conv2}, {@code conv_shortcut}.
 *   <li>VAE: CompVis {@code encoder.down.L.block.J} / {@code decoder.up.L.block.J} (the decoder's
 *       levels counted from the bottom, diffusers' from the top), {@code mid.block_1/attn_1/block_2},
 *       {@code norm_out}, {@code nin_shortcut}; the mid attention's {@code norm}, {@code q}, {@code k},
 *       {@code v}, {@code proj_out} are 1×1 convolutions where diffusers has {@code group_norm} and
 *       linear {@code to_q}, {@code to_k}, {@code to_v}, {@code to_out.0}.
 *   <li>Text encoder: the transformers module names under {@code cond_stage_model.transformer.}
 *       (older transformers versions have no {@code text_model.} level; {@link SdCheckpoint}
 *       resolves both).
 * </ul>
 *
 * <p>Keys are module paths without the {@code .weight}/{@code .bias} suffix, which both sides share.
 */
public final class CompVisNames {

  /** The prefix of UNet keys. */
  public static final String UNET = "model.diffusion_model.";
  /** The prefix of VAE keys. */
  public static final String VAE = "first_stage_model.";
  /** The prefix of text-encoder keys (SD 1.x: transformers' CLIPTextModel). */
  public static final String TEXT = "cond_stage_model.transformer.";
  /** The prefix of text-encoder keys of SD 2.x (OpenCLIP's text tower). */
  public static final String OPEN_CLIP = "cond_stage_model.model.";
  /** A mapped value ending in this is a whole key (the graph parameter's suffix is not appended). */
  static final String EXACT = "!";

  private CompVisNames() {}

  /** diffusers UNet module → CompVis module (with {@link #UNET}). */
  public static Map<String, String> unet(UNetArchitecture a) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("time_embedding.linear_1", "time_embed.0");
    m.put("time_embedding.linear_2", "time_embed.2");
    m.put("conv_in", "input_blocks.0.0");
    int levels = a.levels();
    int lpb = a.layersPerBlock();
    int n = 1;
    for (int i = 0; i < levels; i++) {
      for (int j = 0; j < lpb; j++) {
        resBlock(m, "down_blocks." + i + ".resnets." + j, "input_blocks." + n + ".0");
        if (a.crossAttention().get(i)) {
          transformer(m, "down_blocks." + i + ".attentions." + j, "input_blocks." + n + ".1");
        }
        n++;
      }
      if (i < levels - 1) {
        m.put("down_blocks." + i + ".downsamplers.0.conv", "input_blocks." + n + ".0.op");
        n++;
      }
    }
    resBlock(m, "mid_block.resnets.0", "middle_block.0");
    transformer(m, "mid_block.attentions.0", "middle_block.1");
    resBlock(m, "mid_block.resnets.1", "middle_block.2");
    n = 0;
    for (int i = 0; i < levels; i++) {
      boolean attention = a.crossAttention().get(levels - 1 - i);
      for (int j = 0; j <= lpb; j++) {
        resBlock(m, "up_blocks." + i + ".resnets." + j, "output_blocks." + n + ".0");
        if (attention) {
          transformer(m, "up_blocks." + i + ".attentions." + j, "output_blocks." + n + ".1");
        }
        if (j == lpb && i < levels - 1) {
          m.put("up_blocks." + i + ".upsamplers.0.conv", "output_blocks." + n + "." + (attention ? 2 : 1) + ".conv");
        }
        n++;
      }
    }
    m.put("conv_norm_out", "out.0");
    m.put("conv_out", "out.2");
    return prefixed(m, UNET);
  }

  /** diffusers AutoencoderKL module → CompVis module (with {@link #VAE}). */
  public static Map<String, String> vae(VaeArchitecture a) {
    Map<String, String> m = new LinkedHashMap<>();
    int levels = a.blockChannels().size();
    int lpb = a.layersPerBlock();
    m.put("encoder.conv_in", "encoder.conv_in");
    for (int i = 0; i < levels; i++) {
      for (int j = 0; j < lpb; j++) {
        vaeResBlock(m, "encoder.down_blocks." + i + ".resnets." + j, "encoder.down." + i + ".block." + j);
      }
      if (i < levels - 1) {
        m.put("encoder.down_blocks." + i + ".downsamplers.0.conv", "encoder.down." + i + ".downsample.conv");
      }
    }
    vaeMid(m, "encoder");
    m.put("encoder.conv_norm_out", "encoder.norm_out");
    m.put("encoder.conv_out", "encoder.conv_out");
    m.put("quant_conv", "quant_conv");
    m.put("post_quant_conv", "post_quant_conv");
    m.put("decoder.conv_in", "decoder.conv_in");
    vaeMid(m, "decoder");
    for (int i = 0; i < levels; i++) {
      int k = levels - 1 - i;
      for (int j = 0; j <= lpb; j++) {
        vaeResBlock(m, "decoder.up_blocks." + i + ".resnets." + j, "decoder.up." + k + ".block." + j);
      }
      if (i < levels - 1) {
        m.put("decoder.up_blocks." + i + ".upsamplers.0.conv", "decoder.up." + k + ".upsample.conv");
      }
    }
    m.put("decoder.conv_norm_out", "decoder.norm_out");
    m.put("decoder.conv_out", "decoder.conv_out");
    return prefixed(m, VAE);
  }

  /** transformers CLIPTextModel module → CompVis module (with {@link #TEXT}, with the {@code text_model.} level). */
  public static Map<String, String> text(TextEncoderArchitecture a) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("text_model.embeddings.token_embedding", "text_model.embeddings.token_embedding");
    m.put("text_model.embeddings.position_embedding", "text_model.embeddings.position_embedding");
    for (int i = 0; i < a.layers(); i++) {
      String p = "text_model.encoder.layers." + i;
      for (String s : new String[] {".layer_norm1", ".layer_norm2", ".mlp.fc1", ".mlp.fc2", ".self_attn.q_proj",
          ".self_attn.k_proj", ".self_attn.v_proj", ".self_attn.out_proj"}) {
        m.put(p + s, p + s);
      }
    }
    m.put("text_model.final_layer_norm", "text_model.final_layer_norm");
    return prefixed(m, TEXT);
  }

  /**
   * transformers CLIPTextModel module → SD 2.x OpenCLIP key (with {@link #OPEN_CLIP}): {@code
   * transformer.resblocks.N.{ln_1, ln_2, mlp.c_fc, mlp.c_proj, attn.out_proj}}, {@code
   * token_embedding}, {@code ln_final}; {@code positional_embedding} is a bare parameter (marked
   * {@value #EXACT}); q, k and v are the three row blocks of the fused {@code attn.in_proj_weight} /
   * {@code in_proj_bias}, marked {@code [i/3]}.
   */
  public static Map<String, String> openClipText(TextEncoderArchitecture a) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("text_model.embeddings.token_embedding", "token_embedding");
    m.put("text_model.embeddings.position_embedding", "positional_embedding" + EXACT);
    for (int i = 0; i < a.layers(); i++) {
      String p = "text_model.encoder.layers." + i;
      String r = "transformer.resblocks." + i;
      m.put(p + ".layer_norm1", r + ".ln_1");
      m.put(p + ".layer_norm2", r + ".ln_2");
      m.put(p + ".mlp.fc1", r + ".mlp.c_fc");
      m.put(p + ".mlp.fc2", r + ".mlp.c_proj");
      m.put(p + ".self_attn.q_proj", r + ".attn.in_proj[0/3]");
      m.put(p + ".self_attn.k_proj", r + ".attn.in_proj[1/3]");
      m.put(p + ".self_attn.v_proj", r + ".attn.in_proj[2/3]");
      m.put(p + ".self_attn.out_proj", r + ".attn.out_proj");
    }
    m.put("text_model.final_layer_norm", "ln_final");
    return prefixed(m, OPEN_CLIP);
  }

  private static void resBlock(Map<String, String> m, String d, String c) {
    m.put(d + ".norm1", c + ".in_layers.0");
    m.put(d + ".conv1", c + ".in_layers.2");
    m.put(d + ".time_emb_proj", c + ".emb_layers.1");
    m.put(d + ".norm2", c + ".out_layers.0");
    m.put(d + ".conv2", c + ".out_layers.3");
    m.put(d + ".conv_shortcut", c + ".skip_connection");
  }

  private static void transformer(Map<String, String> m, String d, String c) {
    m.put(d + ".norm", c + ".norm");
    m.put(d + ".proj_in", c + ".proj_in");
    m.put(d + ".proj_out", c + ".proj_out");
    String b = ".transformer_blocks.0";
    for (String s : new String[] {".attn1.to_q", ".attn1.to_k", ".attn1.to_v", ".attn1.to_out.0", ".attn2.to_q",
        ".attn2.to_k", ".attn2.to_v", ".attn2.to_out.0", ".norm1", ".norm2", ".norm3", ".ff.net.0.proj", ".ff.net.2"}) {
      m.put(d + b + s, c + b + s);
    }
  }

  private static void vaeResBlock(Map<String, String> m, String d, String c) {
    m.put(d + ".norm1", c + ".norm1");
    m.put(d + ".conv1", c + ".conv1");
    m.put(d + ".norm2", c + ".norm2");
    m.put(d + ".conv2", c + ".conv2");
    m.put(d + ".conv_shortcut", c + ".nin_shortcut");
  }

  private static void vaeMid(Map<String, String> m, String side) {
    vaeResBlock(m, side + ".mid_block.resnets.0", side + ".mid.block_1");
    String a = side + ".mid_block.attentions.0";
    String c = side + ".mid.attn_1";
    m.put(a + ".group_norm", c + ".norm");
    m.put(a + ".to_q", c + ".q");
    m.put(a + ".to_k", c + ".k");
    m.put(a + ".to_v", c + ".v");
    m.put(a + ".to_out.0", c + ".proj_out");
    vaeResBlock(m, side + ".mid_block.resnets.1", side + ".mid.block_2");
  }

  private static Map<String, String> prefixed(Map<String, String> m, String prefix) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, prefix + v));
    return out;
  }
}
