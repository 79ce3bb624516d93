package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.pipeline.LatentDiffusion;
import io.github.ldm4j.spi.BackendOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CompVis-layout checkpoint written as an ONNX model folder opens through the one assembler on
 * ONNX Runtime with the detected contract (crossattn, 4 or 9 channels, CLIP skip available) and
 * generates, twice the same.
 */
class SdFolderExportTest {

  @TempDir Path dir;

  @Test
  void aConvertedCheckpointOpensAndGeneratesDeterministically() throws Exception {
    try (MemoryStateDict d = SdCheckpointTest.checkpoint(SdCheckpointTest.SMALL, "", true, DType.F16, false)) {
      SdCheckpoint c = SdCheckpoint.of(d);
      GeneratedFolder folder = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
          SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, 64, SdFolderExport.DEFAULTS.prediction()).write(c, dir.resolve("small"), WriteProgress.NONE);
      assertThat(folder.root().resolve("unet/model.onnx")).exists();
      assertThat(Files.readString(folder.root().resolve("unet/config.json"))).contains("\"cross_attention_dim\" : 64");
      try (Generator g = Generator.open(folder.root(), "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
        LatentDiffusion m = g.model();
        assertThat(m.denoiser().latentChannels()).isEqualTo(4);
        GenerationSettings s = GenerationSettings.builder().size(64, 64).steps(2).sampler("euler", "karras").clipSkip(2)
            .build();
        GenerationResult a = g.generate(new GenerationRequest.TextToImage("a cat", "", s));
        GenerationResult b = g.generate(new GenerationRequest.TextToImage("a cat", "", s));
        assertThat(a.images().getFirst().image()).isEqualTo(b.images().getFirst().image());
      }
    }
  }

  /**
   * The conditioning key of the checkpoint (as its config states it) is the one ldm4j reads back from
   * the written folder: crossattn for the 4-channel UNet, hybrid (an inpainting pipeline) for the 9-channel one.
   */
  @Test
  void theFolderOpensWithTheCheckpointsConditioningKey() throws Exception {
    for (boolean inpainting : new boolean[] {false, true}) {
      SdArchitecture a = inpainting ? SdCheckpointTest.SMALL.inpainting() : SdCheckpointTest.SMALL;
      InferenceConfig config = InferenceConfig.parse(Path.of("model.yaml"),
          ("model: {params: {conditioning_key: " + (inpainting ? "hybrid" : "crossattn") + "}}")
              .getBytes(StandardCharsets.UTF_8));
      try (MemoryStateDict d = SdCheckpointTest.checkpoint(a, "", true, DType.F32, false)) {
        SdCheckpoint c = SdCheckpoint.of(d, config.hints());
        assertThat(c.conditioningKey()).isEqualTo(config.conditioningKey().orElseThrow());
        GeneratedFolder folder = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
            SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, 64, SdFolderExport.DEFAULTS.prediction())
            .write(c, dir.resolve("small-" + inpainting), WriteProgress.NONE);
        assertThat(Files.readString(folder.root().resolve("model_index.json")))
            .contains(inpainting ? "StableDiffusionInpaintPipeline" : "\"StableDiffusionPipeline\"");
        try (Generator g = Generator.open(folder.root(), "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
          assertThat(g.model().denoiser().conditioningKey()).isEqualTo(c.conditioningKey());
        }
      }
    }
  }

  @Test
  void aCheckpointMissingWeightsIsRefusedListingThem() throws Exception {
    MemoryStateDict full = SdCheckpointTest.checkpoint(SdCheckpointTest.SMALL, "", true, DType.F32, false);
    MemoryStateDict partial = new MemoryStateDict();
    full.entries().forEach((k, e) -> {
      if (!k.endsWith("mid.attn_1.q.weight") && e.dtype() == DType.F32) {
        partial.put(k, e.shape(), full.toFloat(k).toArray(), DType.F32);
      }
    });
    try (full; partial) {
      SdCheckpoint c = SdCheckpoint.of(partial);
      assertThatThrownBy(() -> SdFolderExport.DEFAULTS.write(c, dir.resolve("x"), WriteProgress.NONE))
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("2 weights of the detected architecture are missing")
          .hasMessageContaining("first_stage_model.encoder.mid.attn_1.q.weight")
          .hasMessageContaining("first_stage_model.decoder.mid.attn_1.q.weight");
    }
  }
}
