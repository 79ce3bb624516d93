package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.UNetArchitecture;
import io.github.ldm4j.export.sd.VaeArchitecture;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The module map on the full SD v1.5 architecture against key names of the released CompVis
 * checkpoints (v1-5-pruned.ckpt's state dict; the block arithmetic is the one in
 * docs/reference-facts.md §8: down_blocks i, j → input_blocks 1+3i+j, downsamplers → input_blocks
 * 3+3i .0.op, up_blocks i, j → output_blocks 3i+j, upsamplers → output_blocks 2+3i, sub-index 2 if
 * the level has attention else 1).
 */
class CompVisNamesTest {

  @Test
  void sdV15UNetModulesLandOnTheReleasedKeys() {
    Map<String, String> m = CompVisNames.unet(UNetArchitecture.stableDiffusionV1());
    String u = "model.diffusion_model.";
    assertThat(m).containsEntry("conv_in", u + "input_blocks.0.0")
        .containsEntry("time_embedding.linear_1", u + "time_embed.0")
        .containsEntry("down_blocks.0.resnets.1.conv1", u + "input_blocks.2.0.in_layers.2")
        .containsEntry("down_blocks.1.attentions.1.proj_in", u + "input_blocks.5.1.proj_in")
        .containsEntry("down_blocks.2.downsamplers.0.conv", u + "input_blocks.9.0.op")
        .containsEntry("down_blocks.3.resnets.1.time_emb_proj", u + "input_blocks.11.0.emb_layers.1")
        .containsEntry("mid_block.attentions.0.transformer_blocks.0.attn2.to_k", u + "middle_block.1.transformer_blocks.0.attn2.to_k")
        .containsEntry("mid_block.resnets.1.conv2", u + "middle_block.2.out_layers.3")
        .containsEntry("up_blocks.0.upsamplers.0.conv", u + "output_blocks.2.1.conv")
        .containsEntry("up_blocks.1.upsamplers.0.conv", u + "output_blocks.5.2.conv")
        .containsEntry("up_blocks.3.resnets.2.conv_shortcut", u + "output_blocks.11.0.skip_connection")
        .containsEntry("up_blocks.3.attentions.2.transformer_blocks.0.ff.net.0.proj",
            u + "output_blocks.11.1.transformer_blocks.0.ff.net.0.proj")
        .containsEntry("conv_out", u + "out.2");
    assertThat(m).doesNotContainKey("down_blocks.3.attentions.0.proj_in");
    assertThat(new HashSet<>(m.values())).as("one key per module").hasSize(m.size());
  }

  @Test
  void sdV15VaeModulesLandOnTheReleasedKeys() {
    Map<String, String> m = CompVisNames.vae(VaeArchitecture.stableDiffusionV1());
    String v = "first_stage_model.";
    assertThat(m).containsEntry("encoder.down_blocks.1.resnets.0.conv_shortcut", v + "encoder.down.1.block.0.nin_shortcut")
        .containsEntry("encoder.down_blocks.0.downsamplers.0.conv", v + "encoder.down.0.downsample.conv")
        .containsEntry("encoder.mid_block.attentions.0.to_q", v + "encoder.mid.attn_1.q")
        .containsEntry("encoder.mid_block.attentions.0.group_norm", v + "encoder.mid.attn_1.norm")
        .containsEntry("encoder.conv_norm_out", v + "encoder.norm_out")
        .containsEntry("decoder.up_blocks.0.resnets.2.conv1", v + "decoder.up.3.block.2.conv1")
        .containsEntry("decoder.up_blocks.0.upsamplers.0.conv", v + "decoder.up.3.upsample.conv")
        .containsEntry("decoder.up_blocks.3.resnets.0.conv_shortcut", v + "decoder.up.0.block.0.nin_shortcut")
        .containsEntry("decoder.mid_block.attentions.0.to_out.0", v + "decoder.mid.attn_1.proj_out")
        .containsEntry("post_quant_conv", v + "post_quant_conv");
    assertThat(m).doesNotContainKey("decoder.up_blocks.3.upsamplers.0.conv");
    assertThat(new HashSet<>(m.values())).hasSize(m.size());
  }

  @Test
  void sdV15TextModulesKeepTheTransformersNames() {
    Map<String, String> m = CompVisNames.text(SdArchitecture.stableDiffusionV1().text());
    assertThat(m).containsEntry("text_model.encoder.layers.11.self_attn.out_proj",
        "cond_stage_model.transformer.text_model.encoder.layers.11.self_attn.out_proj")
        .containsEntry("text_model.final_layer_norm", "cond_stage_model.transformer.text_model.final_layer_norm")
        .hasSize(2 + 12 * 8 + 1);
  }

  @Test
  void emaKeysDropTheDotsBelowModel() {
    assertThat(SdCheckpoint.emaKey("model.diffusion_model.input_blocks.0.0.weight"))
        .isEqualTo("model_ema.diffusion_modelinput_blocks00weight");
    assertThat(SdCheckpoint.emaKey("first_stage_model.encoder.conv_in.weight"))
        .isEqualTo("first_stage_model.encoder.conv_in.weight");
  }
}
