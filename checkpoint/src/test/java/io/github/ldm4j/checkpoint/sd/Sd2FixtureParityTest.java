package io.github.ldm4j.checkpoint.sd;

import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.assertClose;
import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.ids;
import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.perItem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.backend.onnx.OnnxBackend;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.StateDicts;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.contract.NetworkFirstStage;
import io.github.ldm4j.spi.contract.NetworkTextEncoder;
import io.github.ldm4j.spi.contract.NetworkUNet;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SD 2.x networks built from a checkpoint against the ORIGINAL code: the fixture {@code
 * fixtures/sd2-small} was produced by running Stability-AI {@code stablediffusion}'s {@code
 * UNetModel} (linear projections, {@code num_head_channels}), {@code AutoencoderKL} and {@code
 * FrozenOpenCLIPEmbedder.encode_with_transformer} over OpenCLIP v2.7.0's text tower, with seeded
 * random weights ({@code checkpoint/src/test/python/gen_sd2.py}; commits in its manifest). The
 * fixture's UNet has 32 channels per head where SD 2.x has 64 — what its config says and its
 * tensors cannot, passed as a {@link SdCheckpoint.Hints hint}.
 */
class Sd2FixtureParityTest {

  private static final String FIXTURE = "/fixtures/sd2-small/";

  @TempDir Path dir;

  @Test
  void networksMatchTheOriginalCode() throws Exception {
    JsonNode manifest = new ObjectMapper().readTree(resource("manifest.json").toFile());
    int headChannels = manifest.path("config").path("unet").path("num_head_channels").asInt();
    try (StateDict dict = StateDicts.open(resource("sd2-small-fp32.safetensors"))) {
      SdCheckpoint c = SdCheckpoint.of(dict, new SdCheckpoint.Hints(OptionalInt.of(headChannels), OptionalInt.empty()));
      assertThat(c.family()).isEqualTo(SdCheckpoint.Family.SD2);
      assertThat(c.architecture().unet().linearProjection()).isTrue();
      assertThat(c.architecture().text().quickGelu()).isFalse();
      assertThat(c.architecture().text().layers()).as("the penultimate layer")
          .isEqualTo(manifest.path("config").path("text_encoder").path("layers").asInt() - 1);
      SdFolderExport export = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
          SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, 32, Parameterization.V);
      Path folder = export.write(c, dir.resolve("model"), WriteProgress.NONE).root();
      assertThat(Files.readString(folder.resolve("scheduler/scheduler_config.json"))).contains("v_prediction");
      assertThat(Files.readString(folder.resolve("tokenizer/special_tokens_map.json"))).contains("\"pad_token\" : \"!\"");
      ModelFolder mf = ModelFolder.openOnnx(folder);
      try (NetworkSet nets = OnnxBackend.open(NetworkRequest.all(mf, BackendOptions.DEFAULTS), OnnxOptions.DEFAULTS)) {
        NetworkTextEncoder te = new NetworkTextEncoder(nets.get(ModelComponent.TEXT_ENCODER).orElseThrow());
        TextEncoding enc = te.encode(ids(read(manifest, "text_ids")));
        assertClose("sd2 text penultimate (ln_final)", read(manifest, "text_penultimate"), enc.lastHiddenState());
        NetworkUNet u = new NetworkUNet(nets.get(ModelComponent.UNET).orElseThrow(), Parameterization.V, OptionalInt.empty());
        Tensor x = read(manifest, "unet_x");
        Tensor ctx = read(manifest, "unet_context");
        assertClose("sd2 unet (float t)", read(manifest, "unet_out_a"), perItem(u, x, read(manifest, "unet_t_a"), ctx));
        assertClose("sd2 unet (integer t)", read(manifest, "unet_out_b"), perItem(u, x, read(manifest, "unet_t_b"), ctx));
        NetworkFirstStage vae = new NetworkFirstStage(nets.get(ModelComponent.VAE_DECODER).orElseThrow(),
            nets.get(ModelComponent.VAE_ENCODER), mf.scalingFactor());
        LatentDistribution post = vae.encode(read(manifest, "vae_image"));
        assertClose("sd2 vae posterior mean", read(manifest, "vae_posterior_mean"), post.mean());
        assertClose("sd2 vae decode", read(manifest, "vae_decoded"), vae.decode(read(manifest, "vae_latent")));
      }
    }
  }

  /**
   * End to end, v-prediction: Stability-AI's {@code DDIMSampler} (10 uniform steps, η 0, guidance 9
   * on v, the fixture's noise and OpenCLIP contexts) against ldm4j's {@code ddim} on {@code
   * ddim_uniform} over the converted checkpoint.
   */
  @Test
  void ddimWithVPredictionMatchesTheOriginal() throws Exception {
    JsonNode manifest = new ObjectMapper().readTree(resource("manifest.json").toFile());
    int headChannels = manifest.path("config").path("unet").path("num_head_channels").asInt();
    try (StateDict dict = StateDicts.open(resource("sd2-small-fp32.safetensors"))) {
      SdCheckpoint c = SdCheckpoint.of(dict, new SdCheckpoint.Hints(OptionalInt.of(headChannels), OptionalInt.empty()));
      Path folder = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
          SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, 32, Parameterization.V)
          .write(c, dir.resolve("model"), WriteProgress.NONE).root();
      try (io.github.ldm4j.generate.Generator g = io.github.ldm4j.generate.Generator.open(folder, "onnx",
          BackendOptions.DEFAULTS, io.github.ldm4j.generate.GenerationLimits.DEFAULTS)) {
        io.github.ldm4j.pipeline.LatentDiffusion m = g.model();
        assertThat(m.parameterization()).isEqualTo(Parameterization.V);
        var planned = io.github.ldm4j.samplers.SamplingPlanner.plan(new io.github.ldm4j.samplers.SamplingChoice(
            java.util.Optional.of("ddim"), java.util.Optional.of("ddim_uniform"), 10, 1.0, m.schedule(),
            java.util.Optional.empty()));
        var pair = io.github.ldm4j.model.GuidancePair.crossAttn(read(manifest, "ddim_c"), read(manifest, "ddim_uc"),
            java.util.List.of());
        var guided = io.github.ldm4j.conditioning.guidance.ClassifierFreeGuidance.wrap(m.denoiser(), pair,
            io.github.ldm4j.conditioning.guidance.GuidanceOptions.of(manifest.path("ddim").path("guidance_scale").asDouble()));
        var run = new io.github.ldm4j.sampler.SamplingRun(guided, m.parameterization(), m.schedule(), planned.plan(),
            read(manifest, "ddim_x_T"), java.util.Optional.empty(), io.github.ldm4j.random.RngKind.TORCH.create(0),
            io.github.ldm4j.sampler.StepListener.NONE, io.github.ldm4j.sampler.CancellationToken.none());
        Tensor z = m.sample(planned.sampler(), run);
        assertClose("sd2 ddim final latents", read(manifest, "ddim_samples"), z);
        assertClose("sd2 ddim decoded image", read(manifest, "ddim_decoded"), m.decodeFirstStage(z));
      }
    }
  }

  private static Path resource(String name) throws URISyntaxException {
    return Sd1FixtureParityTest.resource(FIXTURE + name);
  }

  private static Tensor read(JsonNode manifest, String name) throws IOException, URISyntaxException {
    return Sd1FixtureParityTest.read(manifest, name, FIXTURE);
  }
}
