package io.github.ldm4j.testkit.sd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ldm4j.demo.testsupport.ContractCheck;
import io.github.ldm4j.demo.testsupport.DdimLoop;
import io.github.ldm4j.demo.testsupport.OrtFolder;
import io.github.ldm4j.demo.testsupport.PromptIds;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import io.github.ldm4j.export.onnx.WeightStorage;
import io.github.ldm4j.export.sd.SdArchitecture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Family 1: the tiny SD model loads and runs in ONNX Runtime in every flavor and precision. */
class SdModelTest {

  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(ExportFlavor.class)
  void everyFlavorAndPrecisionMatchesTheContract(ExportFlavor flavor) throws Exception {
    for (Precision p : Precision.values()) {
      Path dir = tmp.resolve(flavor + "-" + p);
      SdOptions opts = SdOptions.tiny().withFlavor(flavor).withPrecision(p);
      SdModel.write(dir, opts);
      try (OrtFolder m = new OrtFolder(dir, flavor, p)) {
        ContractCheck.check(m, flavor, p, 4, 32, 8);
      }
    }
  }

  @Test
  void inpaintingVariantTakesNineChannels() throws Exception {
    SdOptions opts = SdOptions.tiny().withVariant(PipelineVariant.INPAINTING);
    SdModel.write(tmp, opts);
    try (OrtFolder m = new OrtFolder(tmp, opts.flavor(), opts.precision())) {
      ContractCheck.check(m, opts.flavor(), opts.precision(), 9, 32, 8);
    }
  }

  @Test
  void outputsAreDeterministicAndFp16TracksFp32() throws Exception {
    SdOptions opts = SdOptions.tiny();
    SdModel.write(tmp.resolve("a"), opts);
    SdModel.write(tmp.resolve("b"), opts.withPrecision(Precision.FP16));
    float[] x = DdimLoop.noise(2 * 4 * 8 * 8, 9);
    long[] xs = {2, 4, 8, 8};
    long[][] ids = {PromptIds.of("a red circle"), PromptIds.of("a blue square")};
    float[] first;
    float[] second;
    float[] half;
    try (OrtFolder m = new OrtFolder(tmp.resolve("a"), opts.flavor(), Precision.FP32)) {
      OrtFolder.Out ctx = m.encodeText(ids)[0];
      first = m.unet(x, xs, 321.5, ctx.data(), ctx.shape()).data();
    }
    try (OrtFolder m = new OrtFolder(tmp.resolve("a"), opts.flavor(), Precision.FP32)) {
      OrtFolder.Out ctx = m.encodeText(ids)[0];
      second = m.unet(x, xs, 321.5, ctx.data(), ctx.shape()).data();
    }
    try (OrtFolder m = new OrtFolder(tmp.resolve("b"), opts.flavor(), Precision.FP16)) {
      OrtFolder.Out ctx = m.encodeText(ids)[0];
      half = m.unet(x, xs, 321.5, ctx.data(), ctx.shape()).data();
    }
    assertThat(second).containsExactly(first);
    double maxAbs = 0;
    double maxDiff = 0;
    for (int i = 0; i < first.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(first[i]));
      maxDiff = Math.max(maxDiff, Math.abs(first[i] - half[i]));
    }
    // Same seeded weights rounded to fp16, computed in fp16: agreement to a few fp16 ulps of the output scale.
    assertThat(maxAbs).isGreaterThan(0.05);
    assertThat(maxDiff).isLessThan(0.02 * maxAbs);
  }

  @Test
  void tinySdFolderConfigsDescribeTheNetworks() throws Exception {
    SdModel.write(tmp, SdOptions.tiny());
    ObjectMapper json = new ObjectMapper();
    JsonNode unet = json.readTree(tmp.resolve("unet/config.json").toFile());
    assertThat(unet.get("block_out_channels").toString()).isEqualTo("[32,64,64]");
    assertThat(unet.get("down_block_types").toString())
        .isEqualTo("[\"CrossAttnDownBlock2D\",\"CrossAttnDownBlock2D\",\"DownBlock2D\"]");
    assertThat(unet.get("up_block_types").toString())
        .isEqualTo("[\"UpBlock2D\",\"CrossAttnUpBlock2D\",\"CrossAttnUpBlock2D\"]");
    assertThat(unet.get("cross_attention_dim").asInt()).isEqualTo(32);
    assertThat(unet.get("sample_size").asInt()).isEqualTo(8);
    assertThat(json.readTree(tmp.resolve("vae_decoder/config.json").toFile()).get("scaling_factor").asDouble())
        .isEqualTo(0.18215);
    assertThat(json.readTree(tmp.resolve("text_encoder/config.json").toFile()).get("vocab_size").asInt())
        .isEqualTo(49408);
  }

  @Test
  void generationIsByteForByteDeterministic() throws Exception {
    SdOptions opts = SdOptions.tiny().withFlavor(ExportFlavor.LEGACY);
    SdModel.write(tmp.resolve("a"), opts);
    SdModel.write(tmp.resolve("b"), opts);
    for (String c : new String[] {"text_encoder", "unet", "vae_decoder", "vae_encoder"}) {
      byte[] a = Files.readAllBytes(tmp.resolve("a").resolve(c).resolve("model.onnx"));
      byte[] b = Files.readAllBytes(tmp.resolve("b").resolve(c).resolve("model.onnx"));
      assertThat(a).as(c).isEqualTo(b);
    }
    SdModel.write(tmp.resolve("c"), opts.withSeed(1));
    assertThat(Files.readAllBytes(tmp.resolve("c/unet/model.onnx")))
        .isNotEqualTo(Files.readAllBytes(tmp.resolve("a/unet/model.onnx")));
  }

  @Test
  void externalDataLoadsAndMatchesInline() throws Exception {
    SdOptions opts = SdOptions.tiny();
    SdModel.write(tmp.resolve("inline"), opts);
    GeneratedFolder ext = SdModel.write(tmp.resolve("external"), opts.withStorage(WeightStorage.EXTERNAL));
    assertThat(ext.models()).allSatisfy(m -> assertThat(m.hasExternalData()).isTrue());
    assertThat(tmp.resolve("external/unet").resolve(OnnxModelWriter.EXTERNAL_DATA_FILE)).exists();
    assertThat(Files.size(tmp.resolve("external/unet/model.onnx")))
        .isLessThan(Files.size(tmp.resolve("inline/unet/model.onnx")) / 10);
    float[] x = DdimLoop.noise(4 * 8 * 8, 4);
    long[] xs = {1, 4, 8, 8};
    long[][] ids = {PromptIds.of("a green cross")};
    float[] a;
    float[] b;
    try (OrtFolder m = new OrtFolder(tmp.resolve("inline"), opts.flavor(), opts.precision())) {
      OrtFolder.Out ctx = m.encodeText(ids)[0];
      a = m.unet(x, xs, 10, ctx.data(), ctx.shape()).data();
    }
    try (OrtFolder m = new OrtFolder(tmp.resolve("external"), opts.flavor(), opts.precision())) {
      OrtFolder.Out ctx = m.encodeText(ids)[0];
      b = m.unet(x, xs, 10, ctx.data(), ctx.shape()).data();
    }
    assertThat(b).containsExactly(a);
  }

  @Test
  void textEncoderExportsPerLayerHiddenStatesOnlyWhenAsked() throws Exception {
    SdOptions opts = SdOptions.tiny().withFlavor(ExportFlavor.LEGACY);
    SdModel.write(tmp.resolve("plain"), opts);
    SdModel.write(tmp.resolve("hidden"), opts.withTextHiddenStates(true));
    // Off by default: the generated bytes are those of a folder written without the option.
    assertThat(Files.readAllBytes(tmp.resolve("plain/text_encoder/model.onnx")))
        .isEqualTo(Files.readAllBytes(SdModel.write(tmp.resolve("again"), opts.withTextHiddenStates(false)).root()
            .resolve("text_encoder/model.onnx")));
    long[][] ids = {PromptIds.of("a red circle")};
    try (OrtFolder plain = new OrtFolder(tmp.resolve("plain"), opts.flavor(), opts.precision());
        OrtFolder hidden = new OrtFolder(tmp.resolve("hidden"), opts.flavor(), opts.precision())) {
      assertThat(plain.outputs("text_encoder").keySet()).containsExactly("last_hidden_state", "pooler_output");
      int layers = SdArchitecture.tiny().text().layers();
      java.util.List<String> expected = new java.util.ArrayList<>(java.util.List.of("last_hidden_state", "pooler_output"));
      for (int i = 0; i <= layers; i++) {
        expected.add("hidden_states." + i);
      }
      assertThat(hidden.outputs("text_encoder").keySet()).containsExactlyElementsOf(expected);
      // The extra outputs change nothing else.
      assertThat(hidden.encodeText(ids)[0].data()).containsExactly(plain.encodeText(ids)[0].data());
    }
  }
}
