package io.github.ldm4j.checkpoint.sd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.DType;
import io.github.ldm4j.export.sd.ParameterSpec;
import io.github.ldm4j.export.sd.SdArchitecture;
import io.github.ldm4j.export.sd.TextEncoderArchitecture;
import io.github.ldm4j.export.sd.UNetArchitecture;
import io.github.ldm4j.export.sd.VaeArchitecture;
import io.github.ldm4j.export.sd.Weights;
import io.github.ldm4j.model.ConditioningKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Architecture detection and weight serving on a CompVis-layout state dict written the way PyTorch
 * lays the tensors out (linear weights {@code [out, in]}, norms {@code [C]}, the VAE attention as
 * 1×1 convolutions {@code [out, in, 1, 1]}, embeddings {@code [rows, width]}), with values that
 * identify their parameter and element. Structural: the numerical parity with the original
 * CompVis code is tested against fixtures produced by running that code.
 */
class SdCheckpointTest {

  /** A small SD 1.x that follows the family's rules (8 UNet heads, text heads = width / 64, 32 groups). */
  static final SdArchitecture SMALL = new SdArchitecture(
      new TextEncoderArchitecture(49408, 77, 64, 2, 1, 256, 49407),
      new UNetArchitecture(4, 4, List.of(32, 64), List.of(true, false), 1, 8, 64, 32),
      new VaeArchitecture(List.of(32, 32, 64, 64), 1, 4, 32));

  /** The value of element {@code i} of {@code name}, in PyTorch's element order. */
  static float value(String name, long i) {
    return (float) ((name.hashCode() % 1000) / 1000.0 + i * 1e-6);
  }

  /** A CompVis checkpoint of {@code a}: every graph parameter under its CompVis key, in PyTorch's layout. */
  static MemoryStateDict checkpoint(SdArchitecture a, String prefix, boolean textModelLevel, DType type, boolean ema) {
    Map<String, String> modules = new HashMap<>();
    modules.putAll(CompVisNames.unet(a.unet()));
    modules.putAll(CompVisNames.vae(a.vae()));
    modules.putAll(CompVisNames.text(a.text()));
    MemoryStateDict d = new MemoryStateDict();
    for (ParameterSpec p : SdCheckpoint.parameters(a)) {
      int dot = p.name().lastIndexOf('.');
      String module = modules.get(p.name().substring(0, dot));
      String key = module + p.name().substring(dot);
      if (!textModelLevel) {
        key = key.replace("cond_stage_model.transformer.text_model.", "cond_stage_model.transformer.");
      }
      long[] shape = FullSizeCheckpointCommand.pytorchShape(p, key);
      long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
      float[] v = new float[Math.toIntExact(n)];
      for (int i = 0; i < v.length; i++) {
        v[i] = value(key, i);
      }
      d.put(prefix + key, shape, v, type);
      if (ema && key.startsWith(CompVisNames.UNET)) {
        d.put(prefix + SdCheckpoint.emaKey(key), shape, negated(v), type);
      }
    }
    d.putLongs(prefix + "cond_stage_model.transformer." + (textModelLevel ? "text_model." : "") + "embeddings.position_ids",
        new long[] {1, 77});
    d.put(prefix + "betas", new long[] {1000}, new float[1000], DType.F32);
    return d;
  }

  private static float[] negated(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = -v[i];
    }
    return out;
  }

  /** PyTorch's shape of a parameter the graph holds as {@code p}. */

  @Test
  void detectsTheArchitectureFromKeysAndShapes() throws Exception {
    for (boolean textModelLevel : new boolean[] {true, false}) {
      for (String prefix : new String[] {"", "module."}) {
        try (MemoryStateDict d = checkpoint(SMALL, prefix, textModelLevel, DType.F32, false)) {
          SdCheckpoint c = SdCheckpoint.of(d);
          assertThat(c.architecture()).isEqualTo(SMALL);
          assertThat(c.inpainting()).isFalse();
          assertThat(c.conditioningKey()).isEqualTo(ConditioningKey.CROSSATTN);
          assertThat(c.hasEma()).isFalse();
          SdCheckpoint.KeyUsage usage = c.usage(SMALL, SdCheckpoint.UNetWeights.MODEL);
          assertThat(usage.missing()).isEmpty();
          assertThat(usage.unused()).containsExactlyInAnyOrder(
              prefix + "cond_stage_model.transformer." + (textModelLevel ? "text_model." : "") + "embeddings.position_ids",
              prefix + "betas");
        }
      }
    }
  }

  @Test
  void theNineChannelUNetIsInpainting() throws Exception {
    SdArchitecture inpainting = SMALL.inpainting();
    try (MemoryStateDict d = checkpoint(inpainting, "", true, DType.F32, false)) {
      SdCheckpoint c = SdCheckpoint.of(d);
      assertThat(c.architecture()).isEqualTo(inpainting);
      assertThat(c.inpainting()).isTrue();
      assertThat(c.conditioningKey()).isEqualTo(ConditioningKey.HYBRID);
    }
  }

  /** Hints stating only {@code key}. */
  static SdCheckpoint.Hints stating(ConditioningKey key) {
    return new SdCheckpoint.Hints(OptionalInt.empty(), OptionalInt.empty(), Optional.of(key));
  }

  @Test
  void aStatedConditioningKeyThatAgreesWithTheTensorsIsKept() throws Exception {
    try (MemoryStateDict plain = checkpoint(SMALL, "", true, DType.F32, false);
        MemoryStateDict inpainting = checkpoint(SMALL.inpainting(), "", true, DType.F32, false)) {
      assertThat(SdCheckpoint.of(plain, stating(ConditioningKey.CROSSATTN)).conditioningKey())
          .isEqualTo(ConditioningKey.CROSSATTN);
      SdCheckpoint c = SdCheckpoint.of(inpainting, stating(ConditioningKey.HYBRID));
      assertThat(c.conditioningKey()).isEqualTo(ConditioningKey.HYBRID);
      assertThat(c.architecture()).isEqualTo(SMALL.inpainting());
    }
  }

  /** A stated key the tensors contradict is refused naming both, the channels and the cross-attention. */
  @ParameterizedTest
  @CsvSource({
    "false, hybrid,    crossattn, 4 input channels for 4 output channels",
    "false, concat,    crossattn, 4 input channels for 4 output channels",
    "true,  crossattn, hybrid,    9 input channels for 4 output channels",
    "true,  concat,    hybrid,    9 input channels for 4 output channels",
  })
  void aStatedConditioningKeyTheTensorsContradictIsRefusedNamingBoth(boolean inpainting, String stated,
      String tensors, String channels) throws Exception {
    SdArchitecture a = inpainting ? SMALL.inpainting() : SMALL;
    try (MemoryStateDict d = checkpoint(a, "", true, DType.F32, false)) {
      assertThatThrownBy(() -> SdCheckpoint.of(d, stating(ConditioningKey.fromName(stated))))
          .isInstanceOf(CheckpointFormatException.class)
          .hasMessageStartingWith(d.file() + ": ")
          .hasMessageContaining("model.params.conditioning_key is '" + stated + "'")
          .hasMessageContaining("its tensors are '" + tensors + "'")
          .hasMessageContaining("the UNet takes " + channels)
          .hasMessageContaining("has cross-attention (a context of width 64)");
    }
  }

  /** Copies {@code d} without the keys {@code drop} matches. */
  private static MemoryStateDict without(MemoryStateDict d, Predicate<String> drop) {
    MemoryStateDict out = new MemoryStateDict();
    d.entries().forEach((k, e) -> {
      if (!drop.test(k) && e.dtype().isFloating()) {
        out.put(k, e.shape(), d.toFloat(k).toArray(), e.dtype());
      }
    });
    return out;
  }

  @Test
  void unetsLdm4jCannotConditionAreRefusedWithTheirKey() throws Exception {
    try (MemoryStateDict plain = checkpoint(SMALL, "", true, DType.F32, false);
        MemoryStateDict inpainting = checkpoint(SMALL.inpainting(), "", true, DType.F32, false);
        MemoryStateDict depth = checkpoint(new SdArchitecture(SMALL.text(), SMALL.unet().withInChannels(5), SMALL.vae()),
            "", true, DType.F32, false);
        MemoryStateDict unconditional = without(plain, k -> k.contains(".attn2."));
        MemoryStateDict concat = without(inpainting, k -> k.contains(".attn2."))) {
      assertThatThrownBy(() -> SdCheckpoint.of(unconditional)).isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("has no cross-attention (no attn2 layers): a 'none' UNet")
          .hasMessageContaining("ldm4j converts UNets with text cross-attention: crossattn (SD 1.x / 2.x) and hybrid");
      assertThatThrownBy(() -> SdCheckpoint.of(concat, stating(ConditioningKey.CONCAT)))
          .as("stated and agreeing, but not a UNet ldm4j conditions").isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("the UNet takes 9 input channels for 4 output channels")
          .hasMessageContaining("a 'concat' UNet (channels concatenated to the latent, no cross-attention)");
      assertThatThrownBy(() -> SdCheckpoint.of(unconditional, stating(ConditioningKey.CROSSATTN)))
          .hasMessageContaining("conditioning_key is 'crossattn'").hasMessageContaining("its tensors are 'none'");
      for (Optional<ConditioningKey> stated : List.of(Optional.<ConditioningKey>empty(), Optional.of(ConditioningKey.HYBRID))) {
        assertThatThrownBy(() -> SdCheckpoint.of(depth, new SdCheckpoint.Hints(OptionalInt.empty(), OptionalInt.empty(), stated)))
            .as("SD 2 depth's 5 channels, stated %s", stated).isInstanceOf(CheckpointFormatException.class)
            .hasMessageContaining("the UNet takes 5 input channels for 4 output channels")
            .hasMessageContaining("a 'hybrid' UNet, but ldm4j's concatenated conditioning is inpainting's")
            .hasMessageContaining("9 channels");
      }
    }
  }

  @Test
  void servesEveryGraphParameterInTheGraphsLayout() throws Exception {
    try (MemoryStateDict d = checkpoint(SMALL, "", true, DType.F32, true)) {
      SdCheckpoint c = SdCheckpoint.of(d);
      Weights model = c.weights(SMALL, SdCheckpoint.UNetWeights.MODEL);
      Weights ema = c.weights(SMALL, SdCheckpoint.UNetWeights.EMA);
      Map<String, String> modules = new HashMap<>();
      modules.putAll(CompVisNames.unet(SMALL.unet()));
      modules.putAll(CompVisNames.vae(SMALL.vae()));
      modules.putAll(CompVisNames.text(SMALL.text()));
      int transposed = 0;
      for (ParameterSpec p : SdCheckpoint.parameters(SMALL)) {
        int dot = p.name().lastIndexOf('.');
        String key = modules.get(p.name().substring(0, dot)) + p.name().substring(dot);
        long[] g = p.dims();
        int n = Math.toIntExact(Arrays.stream(g).reduce(1, Math::multiplyExact));
        float[] got = new float[n];
        model.values(p).fill(0, got, n);
        for (int k = 0; k < n; k++) {
          // graph element k: for a transposed [in, out] weight, PyTorch's element (k % out, k / out)
          long source = p.transposed() ? (k % g[1]) * g[0] + k / g[1] : k;
          assertThat(got[k]).as("%s element %d (%s)", p.name(), k, key).isEqualTo(value(key, source));
        }
        if (p.transposed()) {
          transposed++;
        }
        if (key.startsWith(CompVisNames.UNET)) {
          float[] fromEma = new float[n];
          ema.values(p).fill(0, fromEma, n);
          assertThat(fromEma[n - 1]).as("EMA %s", p.name()).isEqualTo(-got[n - 1]);
        }
      }
      assertThat(transposed).as("linear weights are read transposed").isGreaterThan(20);
    }
  }

  @Test
  void float16WeightsAreConvertedOnRead() throws Exception {
    try (MemoryStateDict d = checkpoint(SMALL, "", true, DType.F16, false)) {
      SdCheckpoint c = SdCheckpoint.of(d);
      ParameterSpec p = SdCheckpoint.parameters(SMALL).stream().filter(s -> s.name().equals("conv_in.weight")).findFirst()
          .orElseThrow();
      float[] got = new float[4];
      c.weights(SMALL, SdCheckpoint.UNetWeights.MODEL).values(p).fill(0, got, 4);
      String key = CompVisNames.UNET + "input_blocks.0.0.weight";
      for (int i = 0; i < 4; i++) {
        assertThat(got[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(value(key, i))));
      }
    }
  }

  @Test
  void otherFamiliesAndBrokenFilesFailWithWhatWasDetected() throws Exception {
    try (MemoryStateDict lora = new MemoryStateDict()
        .put("lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight", new long[] {4, 32}, new float[128], DType.F32)) {
      assertThatThrownBy(() -> SdCheckpoint.of(lora)).isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("detected a LoRA").hasMessageContaining("supported: SD 1.x, SD 1.x inpainting and SD 2.x");
    }
    try (MemoryStateDict vae = new MemoryStateDict()
        .put("encoder.conv_in.weight", new long[] {32, 3, 3, 3}, new float[864], DType.F32)) {
      assertThatThrownBy(() -> SdCheckpoint.of(vae)).hasMessageContaining("detected a VAE file");
    }
    try (MemoryStateDict sd2 = new MemoryStateDict()
        .put("model.diffusion_model.input_blocks.0.0.weight", new long[] {32, 4, 3, 3}, new float[1152], DType.F32)
        .put("cond_stage_model.model.token_embedding.weight", new long[] {2, 64}, new float[128], DType.F32)) {
      assertThatThrownBy(() -> SdCheckpoint.of(sd2)).isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("not a consistent SD 2.x checkpoint: missing key cond_stage_model.model.positional_embedding");
    }
    try (MemoryStateDict xl = new MemoryStateDict()
        .put("conditioner.embedders.0.transformer.text_model.final_layer_norm.weight", new long[] {4}, new float[4], DType.F32)) {
      assertThatThrownBy(() -> SdCheckpoint.of(xl)).hasMessageContaining("detected an SDXL checkpoint");
    }
    try (MemoryStateDict d = checkpoint(SMALL, "", true, DType.F32, false)) {
      assertThatThrownBy(() -> SdCheckpoint.of(d).weights(SMALL, SdCheckpoint.UNetWeights.EMA))
          .hasMessageContaining("has no EMA weights");
    }
  }

  @Test
  void aWrongShapeNamesTheKeyAndBothShapes() throws Exception {
    MemoryStateDict d = checkpoint(SMALL, "", true, DType.F32, false);
    String key = CompVisNames.UNET + "input_blocks.1.1.proj_out.weight";
    d.put(key, new long[] {16, 32, 1, 1}, new float[512], DType.F32);
    try (d) {
      SdCheckpoint c = SdCheckpoint.of(d);
      ParameterSpec p = SdCheckpoint.parameters(SMALL).stream()
          .filter(s -> s.name().equals("down_blocks.0.attentions.0.proj_out.weight")).findFirst().orElseThrow();
      assertThatThrownBy(() -> c.weights(SMALL, SdCheckpoint.UNetWeights.MODEL).values(p))
          .hasMessage(key + " has shape [16, 32, 1, 1], the architecture needs [32, 32, 1, 1]");
    }
  }

  @Test
  void missingKeysAreListed() throws Exception {
    MemoryStateDict full = checkpoint(SMALL, "", true, DType.F32, false);
    MemoryStateDict partial = new MemoryStateDict();
    String dropped = CompVisNames.UNET + "output_blocks.1.0.in_layers.2.weight";
    full.entries().forEach((k, e) -> {
      if (!k.equals(dropped) && e.dtype() == DType.F32) {
        partial.put(k, e.shape(), full.toFloat(k).toArray(), DType.F32);
      }
    });
    try (full; partial) {
      SdCheckpoint.KeyUsage usage = SdCheckpoint.of(partial).usage(SMALL, SdCheckpoint.UNetWeights.MODEL);
      assertThat(usage.missing()).containsExactly(dropped);
    }
  }

  @Test
  void aSeparateVaeFileReplacesTheCheckpointsVaeWithOrWithoutItsPrefix() throws Exception {
    for (String vaePrefix : new String[] {"first_stage_model.", ""}) {
      try (MemoryStateDict model = checkpoint(SMALL, "", true, DType.F32, false);
          MemoryStateDict vae = new MemoryStateDict()) {
        model.entries().forEach((k, e) -> {
          if (k.startsWith(CompVisNames.VAE)) {
            vae.put(vaePrefix + k.substring(CompVisNames.VAE.length()), e.shape(),
                negated(model.toFloat(k).toArray()), DType.F32);
          }
        });
        SdCheckpoint c = SdCheckpoint.of(model).withVae(vae);
        Weights w = c.weights(SMALL, SdCheckpoint.UNetWeights.MODEL);
        for (ParameterSpec p : SdCheckpoint.parameters(SMALL)) {
          if (p.name().equals("decoder.conv_out.weight") || p.name().equals("conv_in.weight")) {
            float[] got = new float[1];
            w.values(p).fill(0, got, 1);
            String key = p.name().startsWith("decoder.")
                ? CompVisNames.VAE + "decoder.conv_out.weight" : CompVisNames.UNET + "input_blocks.0.0.weight";
            float original = value(key, 0);
            assertThat(got[0]).as(p.name()).isEqualTo(p.name().startsWith("decoder.") ? -original : original);
          }
        }
        assertThat(c.usage(SMALL, SdCheckpoint.UNetWeights.MODEL).missing()).isEmpty();
      }
    }
  }

  @Test
  void aVaeFileOfAnotherSizeOrNoVaeIsRefused() throws Exception {
    try (MemoryStateDict model = checkpoint(SMALL, "", true, DType.F32, false);
        MemoryStateDict other = new MemoryStateDict()
            .put("encoder.conv_in.weight", new long[] {64, 3, 3, 3}, new float[64 * 27], DType.F32)
            .put("decoder.conv_out.weight", new long[] {3, 32, 3, 3}, new float[3 * 32 * 9], DType.F32)
            .put("post_quant_conv.weight", new long[] {4, 4, 1, 1}, new float[16], DType.F32);
        MemoryStateDict none = new MemoryStateDict().put("betas", new long[] {2}, new float[2], DType.F32)) {
      SdCheckpoint c = SdCheckpoint.of(model);
      assertThatThrownBy(() -> c.withVae(other)).isInstanceOf(CheckpointFormatException.class)
          .hasMessageContaining("does not fit the model's VAE: encoder.conv_in.weight is [64, 3, 3, 3], the model's is [32, 3, 3, 3]");
      assertThatThrownBy(() -> c.withVae(none)).hasMessageContaining("is not a Stable Diffusion VAE");
    }
  }
}
