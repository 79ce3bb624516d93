package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.backend.onnx.OnnxBackend;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsFile;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.contract.NetworkFirstStage;
import io.github.ldm4j.spi.contract.NetworkTextEncoder;
import io.github.ldm4j.spi.contract.NetworkUNet;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SD 1.x networks ldm4j builds from a checkpoint's weights against the ORIGINAL code: the
 * fixture {@code fixtures/sd1-small} was produced by running CompVis' {@code UNetModel}, {@code
 * Encoder}/{@code Decoder}/{@code DiagonalGaussianDistribution} and OpenAI CLIP's text transformer
 * (transformers' {@code CLIPTextModel} semantics) with seeded random weights
 * ({@code checkpoint/src/test/python/gen_sd1.py}; repositories, commits and torch version in its
 * {@code manifest.json}). Here the checkpoint file is read, its architecture detected, written as
 * an ONNX folder and run on ONNX Runtime; every output must match the original's within 1e-4 of
 * the reference's largest magnitude (float32 weights), and the same for F16 / BF16 checkpoints
 * against the original run in float32 on the same rounded weights.
 */
class Sd1FixtureParityTest {

  private static final String FIXTURE = "/fixtures/sd1-small/";
  private static final double TOLERANCE = 1e-4;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} ({1} weights)")
  @CsvSource({"sd1-small-fp32.safetensors, '', MODEL", "sd1-small-fp32.safetensors, '', EMA",
      "sd1-small-fp16.safetensors, fp16w_, MODEL", "sd1-small-bf16.safetensors, bf16w_, MODEL"})
  void networksMatchTheOriginalCode(String file, String refPrefix, SdCheckpoint.UNetWeights which) throws Exception {
    JsonNode manifest = new ObjectMapper().readTree(resource(FIXTURE + "manifest.json").toFile());
    try (StateDict dict = SafetensorsFile.open(resource(FIXTURE + file))) {
      SdCheckpoint c = SdCheckpoint.of(dict);
      JsonNode unet = manifest.path("config").path("unet");
      assertThat(c.architecture().unet().blockChannels().getFirst()).isEqualTo(unet.path("model_channels").asInt());
      assertThat(c.architecture().unet().contextDim()).isEqualTo(unet.path("context_dim").asInt());
      assertThat(c.architecture().text().layers())
          .isEqualTo(manifest.path("config").path("text_encoder").path("num_hidden_layers").asInt());
      Path folder = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
          SdFolderExport.DEFAULTS.storage(), which, 32, SdFolderExport.DEFAULTS.prediction()).write(c, dir.resolve("model"), WriteProgress.NONE).root();
      ModelFolder mf = ModelFolder.openOnnx(folder);
      try (NetworkSet nets = OnnxBackend.open(NetworkRequest.all(mf, BackendOptions.DEFAULTS), OnnxOptions.DEFAULTS)) {
        String ema = which == SdCheckpoint.UNetWeights.EMA ? "_ema" : "";
        // text encoder: hidden states of every layer and the last hidden state
        NetworkTextEncoder te = new NetworkTextEncoder(nets.get(ModelComponent.TEXT_ENCODER).orElseThrow());
        int[][] ids = ids(read(manifest, "text_ids"));
        TextEncoding enc = te.encode(ids);
        if (ema.isEmpty()) {
          assertClose("text last_hidden_state", read(manifest, refPrefix + "text_last_hidden_state"), enc.lastHiddenState());
          Tensor hidden = read(manifest, refPrefix + "text_hidden_states");
          for (int i = 0; i < enc.hiddenStates().size(); i++) {
            assertClose("text hidden_states." + i, hidden.batches(i, i + 1).reshape(enc.hiddenStates().get(i).shape()),
                enc.hiddenStates().get(i));
          }
        }
        // UNet at float and integer timesteps
        NetworkUNet u = new NetworkUNet(nets.get(ModelComponent.UNET).orElseThrow(), Parameterization.EPS, OptionalInt.empty());
        Tensor x = read(manifest, "unet_x");
        Tensor ctx = read(manifest, "unet_context");
        assertClose("unet (float t)" + ema, read(manifest, refPrefix + "unet_out_a" + ema),
            perItem(u, x, read(manifest, "unet_t_a"), ctx));
        if (ema.isEmpty()) {
          assertClose("unet (integer t)", read(manifest, refPrefix + "unet_out_b"),
              perItem(u, x, read(manifest, "unet_t_b"), ctx));
          // VAE: posterior of an image, decode of a latent
          NetworkFirstStage vae = new NetworkFirstStage(nets.get(ModelComponent.VAE_DECODER).orElseThrow(),
              nets.get(ModelComponent.VAE_ENCODER), mf.scalingFactor());
          LatentDistribution post = vae.encode(read(manifest, "vae_image"));
          assertClose("vae posterior mean", read(manifest, refPrefix + "vae_posterior_mean"), post.mean());
          assertClose("vae posterior logvar", read(manifest, refPrefix + "vae_posterior_logvar"), post.logVariance().orElseThrow());
          assertClose("vae decode", read(manifest, refPrefix + "vae_decoded"), vae.decode(read(manifest, "vae_latent")));
        }
      }
    }
  }

  /**
   * End to end: CompVis' {@code DDIMSampler} (10 uniform steps, eta 0, guidance 7.5 with the empty
   * prompt, the fixture's start noise and text contexts) against ldm4j's {@code ddim} sampler on the
   * {@code ddim_uniform} schedule over the converted checkpoint, guided and decoded the same way:
   * the final latents within 1e-4 of their largest magnitude, and the 8-bit images (truncated, as
   * CompVis' script does) at ≥ 50 dB PSNR.
   */
  @org.junit.jupiter.api.Test
  void ddimMatchesCompVisEndToEnd() throws Exception {
    JsonNode manifest = new ObjectMapper().readTree(resource(FIXTURE + "manifest.json").toFile());
    try (StateDict dict = SafetensorsFile.open(resource(FIXTURE + "sd1-small-fp32.safetensors"))) {
      Path folder = new SdFolderExport(SdFolderExport.DEFAULTS.flavor(), SdFolderExport.DEFAULTS.precision(),
          SdFolderExport.DEFAULTS.storage(), SdCheckpoint.UNetWeights.MODEL, 32, SdFolderExport.DEFAULTS.prediction())
          .write(SdCheckpoint.of(dict), dir.resolve("model"), WriteProgress.NONE).root();
      try (io.github.ldm4j.generate.Generator g = io.github.ldm4j.generate.Generator.open(folder, "onnx",
          BackendOptions.DEFAULTS, io.github.ldm4j.generate.GenerationLimits.DEFAULTS)) {
        io.github.ldm4j.pipeline.LatentDiffusion m = g.model();
        Tensor z = compVisDdim(m, manifest);
        assertClose("ddim final latents", read(manifest, "ddim_samples"), z);
        Tensor decoded = m.decodeFirstStage(z);
        assertClose("ddim decoded image", read(manifest, "ddim_decoded"), decoded);
        Tensor expected = read(manifest, "ddim_image_u8"); // [B, H, W, 3]
        int b = decoded.dim(0);
        int h = decoded.dim(2);
        int w = decoded.dim(3);
        double se = 0;
        for (int n = 0; n < b; n++) {
          for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
              for (int x = 0; x < w; x++) {
                double v = Math.min(1, Math.max(0, (decoded.get(((n * 3 + c) * h + y) * w + x) + 1) / 2));
                int mine = (int) (255 * v); // truncation, as CompVis' txt2img
                double d = mine - expected.get(((n * h + y) * w + x) * 3 + c);
                se += d * d;
              }
            }
          }
        }
        double mse = se / (b * 3.0 * h * w);
        double psnr = mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
        System.out.printf(Locale.ROOT, "parity ddim 8-bit image PSNR %.1f dB (MSE %.4f)%n", psnr, mse);
        assertThat(psnr).isGreaterThanOrEqualTo(50);
      }
    }
  }

  /** The UNet one batch item at a time (the optimum export takes one scalar timestep per call). */
  static Tensor perItem(NetworkUNet u, Tensor x, Tensor t, Tensor ctx) {
    Tensor[] out = new Tensor[x.dim(0)];
    for (int i = 0; i < out.length; i++) {
      out[i] = u.forward(x.batches(i, i + 1), t.reshape(t.size()).batches(i, i + 1), Optional.of(ctx.batches(i, i + 1)));
    }
    return Tensor.concat(0, out);
  }

  static void assertClose(String what, Tensor expected, Tensor actual) {
    assertThat(actual.shape()).as(what).isEqualTo(expected.shape());
    double scale = 0;
    for (int i = 0; i < expected.size(); i++) {
      scale = Math.max(scale, Math.abs(expected.get(i)));
    }
    double diff = actual.maxAbsDiff(expected);
    System.out.printf(Locale.ROOT, "parity %-28s max |diff| %.3g = %.3g of max |ref| %.3g%n", what, diff, diff / scale, scale);
    assertThat(diff).as("%s: max |diff| relative to max |ref| %.3g", what, scale).isLessThanOrEqualTo(TOLERANCE * scale);
  }

  static Path resource(String name) throws URISyntaxException {
    return Path.of(Sd1FixtureParityTest.class.getResource(name).toURI());
  }

  /** A reference tensor of the SD 1.x manifest, as float32 (I64 values converted). */
  /**
   * CompVis' 10-step guided DDIM of the fixture ({@code ddim_c}, {@code ddim_uc}, {@code ddim_x_T},
   * its guidance scale, η = 1, torch seed 0) on {@code m}: the final latents.
   */
  static Tensor compVisDdim(io.github.ldm4j.pipeline.LatentDiffusion m, JsonNode manifest) throws Exception {
    var planned = io.github.ldm4j.samplers.SamplingPlanner.plan(new io.github.ldm4j.samplers.SamplingChoice(
        Optional.of("ddim"), Optional.of("ddim_uniform"), 10, 1.0, m.schedule(), Optional.empty()));
    var pair = io.github.ldm4j.model.GuidancePair.crossAttn(read(manifest, "ddim_c"), read(manifest, "ddim_uc"),
        java.util.List.of());
    var guided = io.github.ldm4j.conditioning.guidance.ClassifierFreeGuidance.wrap(m.denoiser(), pair,
        io.github.ldm4j.conditioning.guidance.GuidanceOptions.of(manifest.path("ddim").path("guidance_scale").asDouble()));
    var run = new io.github.ldm4j.sampler.SamplingRun(guided, m.parameterization(), m.schedule(), planned.plan(),
        read(manifest, "ddim_x_T"), Optional.empty(), io.github.ldm4j.random.RngKind.TORCH.create(0),
        io.github.ldm4j.sampler.StepListener.NONE, io.github.ldm4j.sampler.CancellationToken.none());
    return m.sample(planned.sampler(), run);
  }

  static Tensor read(JsonNode manifest, String name) throws IOException, URISyntaxException {
    return read(manifest, name, FIXTURE);
  }

  /** A reference tensor of the manifest of the fixture folder {@code fixture}, as float32. */
  static Tensor read(JsonNode manifest, String name, String fixture) throws IOException, URISyntaxException {
    JsonNode t = manifest.path("tensors").path(name);
    assertThat(t.isMissingNode()).as("tensor %s in the manifest", name).isFalse();
    int[] dims = new int[t.path("shape").size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = t.path("shape").get(i).asInt();
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(resource(fixture + t.path("file").asText())))
        .order(ByteOrder.LITTLE_ENDIAN);
    Tensor out = Tensor.zeros(Shape.of(dims));
    String dtype = t.path("dtype").asText();
    for (int i = 0; i < out.size(); i++) {
      out.set(i, switch (dtype) {
        case "F32" -> b.getFloat(4 * i);
        case "I64" -> (float) b.getLong(8 * i);
        case "F64" -> (float) b.getDouble(8 * i);
        case "U8" -> (float) (b.get(i) & 0xFF);
        default -> throw new IllegalArgumentException(name + ": dtype " + dtype);
      });
    }
    return out;
  }

  static int[][] ids(Tensor t) {
    int[][] out = new int[t.dim(0)][t.dim(1)];
    for (int r = 0; r < out.length; r++) {
      for (int c = 0; c < out[r].length; c++) {
        out[r][c] = (int) t.get(r * out[r].length + c);
      }
    }
    return out;
  }
}
