package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.checkpoint.lora.LoraFile;
import io.github.ldm4j.checkpoint.lora.LoraMapping;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsWriter;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad LoRA files give a {@link CheckpointFormatException} naming the file and what is wrong. */
class LoraFileTest {

  @TempDir Path dir;

  @Test
  void lohaIsRefusedByName() throws Exception {
    Path f = dir.resolve("loha.safetensors");
    new SafetensorsWriter()
        .add("lora_unet_mid_block_attentions_0_proj_in.hada_w1_a", Tensor.zeros(4, 2))
        .add("lora_unet_mid_block_attentions_0_proj_in.hada_w1_b", Tensor.zeros(2, 4))
        .add("lora_unet_mid_block_attentions_0_proj_in.alpha", Tensor.of(new float[] {1}, 1))
        .write(f);
    assertThatThrownBy(() -> LoraFile.open(f)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageStartingWith(f.toString())
        .hasMessageContaining("unsupported: LoHa");
  }

  @Test
  void lokrIsRefusedByName() throws Exception {
    Path f = dir.resolve("lokr.safetensors");
    new SafetensorsWriter().add("lora_te_text_model_encoder_layers_0_mlp_fc1.lokr_w1", Tensor.zeros(2, 2)).write(f);
    assertThatThrownBy(() -> LoraFile.open(f)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("unsupported: LoKr");
  }

  @Test
  void aTruncatedFileFailsNamingIt() throws Exception {
    byte[] whole = Files.readAllBytes(LoraFixtureParityTest.lora("sd1_b.safetensors"));
    Path f = dir.resolve("truncated.safetensors");
    Files.write(f, Arrays.copyOf(whole, whole.length - 100));
    assertThatThrownBy(() -> LoraFile.open(f)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageStartingWith(f.toString());
  }

  @Test
  void unmappedKeysAreReportedAndRefusedByAMerge() throws Exception {
    Path f = dir.resolve("unmapped.safetensors");
    new SafetensorsWriter()
        .add("lora_unet_mid_block_attentions_0_proj_in.lora_down.weight", Tensor.zeros(2, 64, 1, 1))
        .add("lora_unet_mid_block_attentions_0_proj_in.lora_up.weight", Tensor.zeros(64, 2, 1, 1))
        .add("lora_unet_no_such_block_to_q.lora_down.weight", Tensor.zeros(2, 8))
        .add("lora_unet_no_such_block_to_q.lora_up.weight", Tensor.zeros(8, 2))
        .add("something_else.weight", Tensor.zeros(2))
        .write(f);
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource("/fixtures/sd1-small/sd1-small-fp32.safetensors"));
        LoraFile lora = LoraFile.open(f)) {
      SdCheckpoint c = SdCheckpoint.of(dict);
      LoraMapping m = LoraMapping.of(lora, c, SdCheckpoint.UNetWeights.MODEL);
      assertThat(m.targets()).singleElement().satisfies(t ->
          assertThat(t.checkpointKey()).isEqualTo("model.diffusion_model.middle_block.1.proj_in.weight"));
      assertThat(m.unmapped()).containsExactly("lora_unet_no_such_block_to_q.lora_down.weight",
          "lora_unet_no_such_block_to_q.lora_up.weight", "something_else.weight");
      assertThatThrownBy(() -> SdFolderExport.DEFAULTS.withLoras(new LoraSet(List.of(new AppliedLora(f, 1))))
          .write(c, dir.resolve("model"), WriteProgress.NONE))
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageStartingWith(f.toAbsolutePath().normalize().toString())
          .hasMessageContaining("3 of its keys modify no layer of the model")
          .hasMessageContaining("lora_unet_no_such_block_to_q.lora_down.weight");
    }
  }

  @Test
  void compVisStyleKohyaNamesAndDiffusersNamesMapToo() throws Exception {
    Path kohya = dir.resolve("compvis-names.safetensors");
    new SafetensorsWriter()
        .add("lora_unet_input_blocks_1_1_proj_in.lora_down.weight", Tensor.zeros(2, 32, 1, 1))
        .add("lora_unet_input_blocks_1_1_proj_in.lora_up.weight", Tensor.zeros(32, 2, 1, 1))
        .write(kohya);
    Path peft = dir.resolve("peft.safetensors");
    new SafetensorsWriter()
        .add("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.lora_A.weight", Tensor.zeros(2, 64))
        .add("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.lora_B.weight", Tensor.zeros(32, 2))
        .add("text_encoder.text_model.encoder.layers.1.self_attn.q_proj.lora_A.weight", Tensor.zeros(2, 64))
        .add("text_encoder.text_model.encoder.layers.1.self_attn.q_proj.lora_B.weight", Tensor.zeros(64, 2))
        .write(peft);
    try (StateDict dict = StateDicts.open(Sd1FixtureParityTest.resource("/fixtures/sd1-small/sd1-small-fp32.safetensors"));
        LoraFile a = LoraFile.open(kohya); LoraFile b = LoraFile.open(peft)) {
      SdCheckpoint c = SdCheckpoint.of(dict);
      assertThat(LoraMapping.of(a, c, SdCheckpoint.UNetWeights.MODEL).requireComplete().targets())
          .singleElement().satisfies(t -> assertThat(t.parameter()).isEqualTo("down_blocks.0.attentions.0.proj_in.weight"));
      assertThat(b.format()).isEqualTo(LoraFile.Format.DIFFUSERS);
      LoraMapping m = LoraMapping.of(b, c, SdCheckpoint.UNetWeights.MODEL).requireComplete();
      assertThat(m.targets()).extracting(LoraMapping.Target::checkpointKey).containsExactlyInAnyOrder(
          "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight",
          "cond_stage_model.transformer.text_model.encoder.layers.1.self_attn.q_proj.weight");
      assertThat(b.modules()).allSatisfy(mod -> assertThat(mod.scale()).isEqualTo(1.0));
    }
  }

  @Test
  void mismatchedRanksFailNamingTheModule() throws Exception {
    Path f = dir.resolve("ranks.safetensors");
    new SafetensorsWriter()
        .add("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_down.weight", Tensor.zeros(4, 64))
        .add("lora_te_text_model_encoder_layers_0_mlp_fc1.lora_up.weight", Tensor.zeros(256, 8))
        .write(f);
    assertThatThrownBy(() -> LoraFile.open(f)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("lora_te_text_model_encoder_layers_0_mlp_fc1: the ranks disagree");
  }

  @Test
  void aModelIsNotALora() throws Exception {
    Path model = Sd1FixtureParityTest.resource("/fixtures/sd1-small/sd1-small-fp32.safetensors");
    assertThatThrownBy(() -> LoraFile.open(model)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("is not a LoRA");
  }

  @Test
  void parsesTheOptionForm() {
    assertThat(AppliedLora.parse("a.safetensors")).isEqualTo(new AppliedLora(Path.of("a.safetensors"), 1, 1));
    assertThat(AppliedLora.parse("a.safetensors:0.5")).isEqualTo(new AppliedLora(Path.of("a.safetensors"), 0.5, 0.5));
    assertThat(AppliedLora.parse("a.safetensors:0.5:-1")).isEqualTo(new AppliedLora(Path.of("a.safetensors"), 0.5, -1));
    assertThat(AppliedLora.parse("C:/x/a.safetensors:2")).isEqualTo(new AppliedLora(Path.of("C:/x/a.safetensors"), 2, 2));
    assertThatThrownBy(() -> AppliedLora.parse(":1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no file given");
  }
}
