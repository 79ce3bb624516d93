package io.github.ldm4j.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.folder.onnx.FinalLayerNormLookup;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.contract.NetworkTextEncoder;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.LayerNorm;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.model.TextEncoding;
import io.github.ldm4j.tensor.Tensor;
import io.github.ldm4j.testkit.internal.SeededWeights;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CLIP skip on ONNX exports: n ≥ 2 is {@code hidden_states[-n]} through the final layer norm, whose
 * parameters come from the ONNX file. Checked against a hand computation with the testkit's seeded
 * layer-norm weights (not read back through the code under test).
 */
class OnnxClipSkipTest {

  private static final int LAYERS = 2; // SdArchitecture.tiny(): 2 text transformer layers
  private static final int WIDTH = 32;

  @TempDir static Path dir;

  private static Path hidden32;
  private static Path hidden16;
  private static Path plain;

  @BeforeAll
  static void writeModels() {
    SdOptions tiny = SdOptions.tiny().withTextHiddenStates(true);
    hidden32 = SdModel.write(dir.resolve("legacy-fp32-hidden"), tiny.withFlavor(ExportFlavor.LEGACY)).root();
    hidden16 = SdModel.write(dir.resolve("optimum-fp16-hidden"), tiny.withPrecision(Precision.FP16)).root();
    plain = SdModel.write(dir.resolve("legacy-fp32-plain"), SdOptions.tiny().withFlavor(ExportFlavor.LEGACY)).root();
  }

  /** The text encoder alone, as the assembler adapts every backend's text encoder network. */
  private static NetworkTextEncoder textEncoder(Path folder) throws IOException {
    var request = new NetworkRequest(ModelFolder.openOnnx(folder), java.util.Map.of(ModelComponent.TEXT_ENCODER, "cpu"),
        BackendOptions.DEFAULTS);
    return new NetworkTextEncoder(OnnxBackend.open(request, OnnxOptions.DEFAULTS).get(ModelComponent.TEXT_ENCODER).orElseThrow());
  }

  private static int[][] ids(String... prompts) {
    ClipTokenizer tok = ClipTokenizer.openAiClip();
    int[][] out = new int[prompts.length][];
    for (int i = 0; i < prompts.length; i++) {
      out[i] = tok.encode(prompts[i]).ids();
    }
    return out;
  }

  @Test
  void clipSkipTwoIsThePenultimateLayerThroughTheFinalLayerNorm() throws IOException {
    try (NetworkTextEncoder te = textEncoder(hidden32)) {
      int[][] ids = ids("a red circle", "");
      TextEncoding all = te.encode(ids);
      assertThat(all.hiddenStates()).hasSize(LAYERS + 1);
      assertThat(te.exposesHiddenStates()).isTrue();

      Tensor expected = handLayerNorm(all.hiddenStates().get(LAYERS - 1));
      Tensor skip2 = te.encodeContext(ids, 2);
      assertThat(skip2.shape()).isEqualTo(all.lastHiddenState().shape());
      // float32 rounding of the same double computation
      assertThat(skip2.maxAbsDiff(expected)).isLessThan(1e-6);
      assertThat(skip2.maxAbsDiff(all.lastHiddenState())).as("skip 2 is not the last layer").isGreaterThan(0.1);

      // the semantics of the indices: the last hidden state through the same norm is last_hidden_state
      assertThat(handLayerNorm(all.hiddenStates().get(LAYERS)).maxAbsDiff(all.lastHiddenState())).isLessThan(1e-5);
      assertThat(te.encodeContext(ids, 1).toArray()).containsExactly(all.lastHiddenState().toArray());
    }
  }

  @Test
  void fp16ExportsGiveTheSameClipSkipWithinFp16Precision() throws IOException {
    int[][] ids = ids("a blue triangle");
    Tensor full;
    try (NetworkTextEncoder te = textEncoder(hidden32)) {
      full = te.encodeContext(ids, 2);
    }
    try (NetworkTextEncoder te = textEncoder(hidden16)) {
      LayerNorm norm = te.finalLayerNorm().orElseThrow();
      // fp16 initializers are the fp32 ones rounded
      float[] w = seeded(FinalLayerNormLookup.WEIGHT, 1);
      for (int i = 0; i < WIDTH; i++) {
        assertThat(norm.weight()[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(w[i])));
      }
      Tensor half = te.encodeContext(ids, 2);
      // measured 3.0e-3 on outputs within ±2.6: a few fp16 ulps
      assertThat(half.maxAbsDiff(full)).isLessThan(0.01);
      assertThat(half.maxAbsDiff(handLayerNorm(te.encode(ids).hiddenStates().get(LAYERS - 1)))).isLessThan(0.01);
    }
  }

  @Test
  void clipSkipBeyondTheLayersIsRejected() throws IOException {
    try (NetworkTextEncoder te = textEncoder(hidden32)) {
      int[][] ids = ids("x");
      assertThatThrownBy(() -> te.encodeContext(ids, LAYERS + 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("clip skip 3 exceeds the 2 layers");
      assertThatThrownBy(() -> te.encodeContext(ids, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("clip skip must be >= 1");
    }
  }

  @Test
  void anExportWithoutHiddenStatesNamesTheMissingOutputs() throws IOException {
    try (NetworkTextEncoder te = textEncoder(plain)) {
      assertThat(te.exposesHiddenStates()).isFalse();
      assertThat(te.encode(ids("x")).hiddenStates()).isEmpty();
      assertThatThrownBy(() -> te.encodeContext(ids("x"), 2))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("'hidden_states.0'")
          .hasMessageContaining(plain.resolve("text_encoder/model.onnx").toString())
          .hasMessageContaining("last_hidden_state")
          .hasMessageContaining("output_hidden_states=True");
      // the final layer norm is still found: only the per-layer outputs are missing
      assertThat(te.finalLayerNorm()).isPresent();
    }
  }

  @Test
  void theGeneratorHonoursClipSkip() throws IOException {
    GenerationSettings s = GenerationSettings.builder().size(64, 64).steps(2).sampler("euler", "karras").build();
    try (Generator g = Generator.open(hidden32, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      RgbImage one = g.generate(new GenerationRequest.TextToImage("a red circle", "", s)).images().getFirst().image();
      RgbImage two = g.generate(new GenerationRequest.TextToImage("a red circle", "", s.toBuilder().clipSkip(2).build()))
          .images().getFirst().image();
      assertThat(two).isNotEqualTo(one);
    }
    try (Generator g = Generator.open(plain, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS)) {
      GenerationSettings skip2 = s.toBuilder().clipSkip(2).build();
      assertThatThrownBy(() -> g.generate(new GenerationRequest.TextToImage("a red circle", "", skip2)))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("hidden_states.0");
    }
  }

  /** LayerNorm over the last axis in double with the testkit's seeded final-norm parameters and ε = 1e-5. */
  private static Tensor handLayerNorm(Tensor x) {
    float[] w = seeded(FinalLayerNormLookup.WEIGHT, 1);
    float[] b = seeded(FinalLayerNormLookup.BIAS, 0);
    Tensor out = Tensor.zeros(x.shape());
    for (int row = 0; row < x.size() / WIDTH; row++) {
      double mean = 0;
      for (int j = 0; j < WIDTH; j++) {
        mean += x.get(row * WIDTH + j);
      }
      mean /= WIDTH;
      double var = 0;
      for (int j = 0; j < WIDTH; j++) {
        double d = x.get(row * WIDTH + j) - mean;
        var += d * d;
      }
      var /= WIDTH;
      for (int j = 0; j < WIDTH; j++) {
        out.set(row * WIDTH + j, (float) ((x.get(row * WIDTH + j) - mean) / Math.sqrt(var + 1e-5) * w[j] + b[j]));
      }
    }
    return out;
  }

  /** The testkit's PyTorch-style norm initialisation: center ± 0.1, seed 0. */
  private static float[] seeded(String name, double center) {
    float[] out = new float[WIDTH];
    SeededWeights.uniform(0, name, center, 0.1).fill(0, out, WIDTH);
    return out;
  }
}
