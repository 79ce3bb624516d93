package io.github.ldm4j.checkpoint.sd;

import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.perItem;
import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.read;
import static io.github.ldm4j.checkpoint.sd.Sd1FixtureParityTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.backend.onnx.OnnxBackend;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.lora.LoraSet;
import io.github.ldm4j.checkpoint.safetensors.SafetensorsFile;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.WriteProgress;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.folder.onnx.OnnxModelIndex;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.contract.NetworkUNet;
import io.github.ldm4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code --precision int8} (the UNet's conv and linear weights int8 per output channel, dequantized
 * in the graph) and {@code int8-linear} against the exact fp32 conversion of the committed fixture {@code
 * fixtures/sd1-small/sd1-small-fp32.safetensors} (CompVis-layout random weights, see {@link
 * Sd1FixtureParityTest}).
 *
 * <p>The bars, and why: symmetric per-channel int8 rounds each weight by at most half a step, {@code
 * max|w_c| / 254}, i.e. a relative weight error of ≤ 0.4 % of the channel's largest weight; through
 * a network of ~20 quantized layers such independent roundings add up to about 1 % of the output's
 * scale. The UNet output is held to ≤ 3 % of the fp32 output's largest magnitude (room for that
 * estimate; measured with a deliberate bug — every channel dequantized with its neighbour's scale —
 * the error is 33 %).
 * The 10-step guided DDIM image, 8-bit as CompVis writes it, is held to ≥ 35 dB PSNR against the
 * fp32 image: an RMS difference below 4.6 of 255 levels, below what is visible in an SD image (the
 * usual threshold for "visually lossless" lossy coding is 35–40 dB). Measured here: UNet 1.5–1.6 %,
 * image 52.9 dB; with the neighbour-scale bug 33 % and 33.0 dB (this fixture's small random VAE
 * flattens differences, so the UNet bar is the sharp one, the image bar the end-to-end one).
 * Uniform random weights have no outlier channels, an easy case for per-channel int8: a trained
 * checkpoint may do worse, which is why int8 is no default until measured on one (docs/benchmarks.md).
 *
 * <p>{@code --precision int8-linear} (only the linear weights int8, convolutions fp32) is held to
 * the same bars; fewer layers are rounded, so it has more room: measured UNet 0.21–0.24 %, image
 * 54.7 dB. With the deliberate bug (quantized with the neighbour channel's scale, dequantized with
 * its own) it measured UNet 3.3 % (fails) and 46.2 dB (passes): only the UNet bar catches a wrong
 * scale confined to the linears, and narrowly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Int8WeightsFidelityTest {

  private static final String FIXTURE = "/fixtures/sd1-small/";

  private JsonNode manifest;
  private Path fp32;
  private Path int8;
  private Path int8Linear;

  @BeforeAll
  void convert(@TempDir Path dir) throws Exception {
    manifest = new ObjectMapper().readTree(resource(FIXTURE + "manifest.json").toFile());
    try (StateDict dict = SafetensorsFile.open(resource(FIXTURE + "sd1-small-fp32.safetensors"))) {
      SdCheckpoint c = SdCheckpoint.of(dict);
      fp32 = export(Precision.FP32).write(c, dir.resolve("fp32"), WriteProgress.NONE).root();
      int8 = export(Precision.INT8).write(c, dir.resolve("int8"), WriteProgress.NONE).root();
      int8Linear = export(Precision.INT8_LINEAR).write(c, dir.resolve("int8-linear"), WriteProgress.NONE).root();
    }
  }

  private static SdFolderExport export(Precision p) {
    SdFolderExport d = SdFolderExport.DEFAULTS;
    return new SdFolderExport(d.flavor(), p, d.storage(), SdCheckpoint.UNetWeights.MODEL, 32, d.prediction());
  }

  @Test
  void unetWeightsAreInt8AndTheFolderSaysSo() throws Exception {
    Path unet = int8.resolve(ModelComponent.UNET.folderName()).resolve("model.onnx");
    assertThat(OnnxModelIndex.<Boolean>read(unet, i -> i.isInt8("conv_in.weight") && i.isInt8("time_embedding.linear_1.weight")
        && !i.isInt8("conv_in.bias"))).isTrue();
    Path text = int8.resolve(ModelComponent.TEXT_ENCODER.folderName()).resolve("model.onnx");
    assertThat(OnnxModelIndex.<Boolean>read(text, i -> i.initializerNames().stream().noneMatch(i::isInt8))).as("text encoder fp32").isTrue();
    assertThat(ConvertedFolder.read(int8).precision()).isEqualTo(Precision.INT8);
    assertThat(ConvertedFolder.read(fp32).precision()).isEqualTo(Precision.FP32);
    assertThat(size(int8.resolve(ModelComponent.UNET.folderName())))
        .as("int8 UNet file vs fp32").isLessThan(size(fp32.resolve(ModelComponent.UNET.folderName())) * 2 / 5);
  }

  @Test
  void int8LinearQuantizesOnlyTheLinearWeights() throws Exception {
    Path unet = int8Linear.resolve(ModelComponent.UNET.folderName()).resolve("model.onnx");
    assertThat(OnnxModelIndex.<Boolean>read(unet, i -> i.isInt8("time_embedding.linear_1.weight")
        && i.isInt8("mid_block.attentions.0.transformer_blocks.0.attn1.to_q.weight")
        && !i.isInt8("conv_in.weight") && !i.isInt8("mid_block.resnets.0.conv1.weight"))).isTrue();
    assertThat(OnnxModelIndex.<Boolean>read(unet, i -> i.initializerNames().stream()
        .noneMatch(n -> i.isInt8(n) && i.dims(n).orElseThrow().length != 2))).as("only 2-D (linear) weights int8").isTrue();
    assertThat(ConvertedFolder.read(int8Linear).precision()).isEqualTo(Precision.INT8_LINEAR);
    long fp32Size = size(fp32.resolve(ModelComponent.UNET.folderName()));
    assertThat(size(int8Linear.resolve(ModelComponent.UNET.folderName()))).as("int8-linear UNet file vs fp32")
        .isLessThan(fp32Size).isGreaterThan(size(int8.resolve(ModelComponent.UNET.folderName())));
  }

  @ParameterizedTest
  @EnumSource(value = Precision.class, names = {"INT8", "INT8_LINEAR"})
  void unetOutputWithinThreePercentOfFp32(Precision precision) throws Exception {
    Path folder = folder(precision);
    Tensor x = read(manifest, "unet_x");
    Tensor ctx = read(manifest, "unet_context");
    for (String t : new String[] {"unet_t_a", "unet_t_b"}) {
      Tensor exact = unet(fp32, x, read(manifest, t), ctx);
      Tensor q = unet(folder, x, read(manifest, t), ctx);
      double scale = 0;
      for (int i = 0; i < exact.size(); i++) {
        scale = Math.max(scale, Math.abs(exact.get(i)));
      }
      double diff = q.maxAbsDiff(exact);
      System.out.printf(Locale.ROOT, "%s UNet (%s) max |diff| %.3g = %.3g of max |fp32| %.3g%n", precision.cliName(), t, diff,
          diff / scale, scale);
      assertThat(diff).as("%s UNet max |diff| vs fp32 (max |fp32| %.3g)", precision.cliName(), scale).isLessThanOrEqualTo(0.03 * scale)
          .isGreaterThan(0); // the weights really are rounded
    }
  }

  @ParameterizedTest
  @EnumSource(value = Precision.class, names = {"INT8", "INT8_LINEAR"})
  void ddimImageAtLeast35DbOfFp32(Precision precision) throws Exception {
    Tensor exact = ddim(fp32);
    Tensor q = ddim(folder(precision));
    double se = 0;
    for (int i = 0; i < exact.size(); i++) {
      double d = u8(q.get(i)) - u8(exact.get(i));
      se += d * d;
    }
    double mse = se / exact.size();
    double psnr = mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    System.out.printf(Locale.ROOT, "%s ddim 8-bit image PSNR vs fp32 %.1f dB (MSE %.4f)%n", precision.cliName(), psnr, mse);
    assertThat(psnr).isGreaterThanOrEqualTo(35);
  }

  @ParameterizedTest
  @EnumSource(value = Precision.class, names = {"INT8", "INT8_LINEAR"})
  void aLoraCannotBeAddedToAnInt8FolderAfterwards(Precision precision) throws Exception {
    LoraSet loras = new LoraSet(java.util.List.of(new io.github.ldm4j.checkpoint.lora.AppliedLora(
        resource("/fixtures/lora/sd1_a.safetensors"), 1.0)));
    Path folder = folder(precision);
    assertThatThrownBy(() -> LoraOverrides.ofFolder(folder, loras)).isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining(folder.toString()).hasMessageContaining("--precision " + precision.cliName())
        .hasMessageContaining("--lora at conversion");
  }

  @Test
  void fp32AndInt8ConversionsOfOneCheckpointAreCachedApart(@TempDir Path tmp) throws Exception {
    try (TemporaryHome home = new TemporaryHome(tmp.resolve("home"))) {
      CheckpointFolders.Request r = CheckpointFolders.Request.defaults(resource(FIXTURE + "sd1-small-fp32.safetensors"));
      SdFolderExport e = r.export();
      SdFolderExport int8Export = new SdFolderExport(e.flavor(), Precision.INT8, e.storage(), e.unetWeights(),
          e.imageSize(), e.prediction(), e.scaleFactor(), e.loras());
      Path a = CheckpointFolders.cached(r);
      Path b = CheckpointFolders.cached(new CheckpointFolders.Request(r.checkpoint(), r.vae(), r.config(), r.inference(),
          int8Export));
      Path c = CheckpointFolders.cached(new CheckpointFolders.Request(r.checkpoint(), r.vae(), r.config(), r.inference(),
          new SdFolderExport(e.flavor(), Precision.INT8_LINEAR, e.storage(), e.unetWeights(), e.imageSize(),
              e.prediction(), e.scaleFactor(), e.loras())));
      assertThat(b).isNotEqualTo(a);
      assertThat(c).isNotEqualTo(a).isNotEqualTo(b);
      assertThat(ConvertedFolder.read(a).precision()).isEqualTo(Precision.FP32);
      assertThat(ConvertedFolder.read(b).precision()).isEqualTo(Precision.INT8);
      assertThat(ConvertedFolder.read(c).precision()).isEqualTo(Precision.INT8_LINEAR);
    }
  }

  @Test
  void unknownPrecisionNamesTheChoices() {
    assertThatThrownBy(() -> Precision.fromName("int4")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'int4'").hasMessageContaining("[fp32, fp16, int8, int8-linear]");
    assertThat(Precision.fromName("int8-linear")).isEqualTo(Precision.INT8_LINEAR);
    assertThat(Precision.fromName("INT8_LINEAR")).isEqualTo(Precision.INT8_LINEAR);
  }

  private Path folder(Precision precision) {
    return switch (precision) {
      case INT8 -> int8;
      case INT8_LINEAR -> int8Linear;
      default -> throw new IllegalArgumentException(precision.toString());
    };
  }

  private static Tensor unet(Path folder, Tensor x, Tensor t, Tensor ctx) throws Exception {
    ModelFolder mf = ModelFolder.openOnnx(folder);
    try (NetworkSet nets = OnnxBackend.open(NetworkRequest.all(mf, BackendOptions.DEFAULTS), OnnxOptions.DEFAULTS)) {
      NetworkUNet u = new NetworkUNet(nets.get(ModelComponent.UNET).orElseThrow(), Parameterization.EPS, OptionalInt.empty());
      return perItem(u, x, t, ctx);
    }
  }

  /** CompVis' 10-step DDIM setting of {@link Sd1FixtureParityTest#ddimMatchesCompVisEndToEnd}, decoded. */
  private Tensor ddim(Path folder) throws Exception {
    try (io.github.ldm4j.generate.Generator g = io.github.ldm4j.generate.Generator.open(folder, "onnx",
        BackendOptions.DEFAULTS, io.github.ldm4j.generate.GenerationLimits.DEFAULTS)) {
      io.github.ldm4j.pipeline.LatentDiffusion m = g.model();
      return m.decodeFirstStage(Sd1FixtureParityTest.compVisDdim(m, manifest));
    }
  }

  /** An image value in [-1, 1] as CompVis' 8-bit output (clamped, truncated). */
  private static int u8(float v) {
    return (int) (255 * Math.min(1, Math.max(0, (v + 1) / 2.0)));
  }

  private static long size(Path folder) throws Exception {
    try (var s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
