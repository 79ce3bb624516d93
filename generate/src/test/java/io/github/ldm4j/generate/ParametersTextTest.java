package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The provenance keys of the parameters text in AUTOMATIC1111's form: order {@code Size, Model
 * hash, Model, VAE hash, VAE, …, Lora hashes, …, Version} and its {@code quote} (json.dumps of a
 * value holding a comma, colon or newline), worked out by hand from A1111's {@code create_infotext}.
 */
class ParametersTextTest {

  private static final GenerationSettings S = GenerationSettings.builder().size(64, 64).steps(4).seed(3, io.github.ldm4j.random.RngKind.TORCH).build();

  @Test
  void provenanceKeysComeInA1111sOrderWithThePromptAsWritten() {
    Map<String, String> loras = new LinkedHashMap<>();
    loras.put("fox", "ace7c9a44592");
    loras.put("a:b,c", "0123456789ab");
    Provenance p = new Provenance("a fox <lora:fox:0.8>", "ugly", Optional.of("6ce0161689"), Optional.of("v1-5"),
        Optional.of("735e4c3a44"), Optional.of("ft-mse.safetensors"), loras);

    String text = ParametersText.format(new GenerationRequest.TextToImage("a fox ", "ugly", S), "euler", "karras", 3, "folder", p);

    assertThat(text).isEqualTo("a fox <lora:fox:0.8>\nNegative prompt: ugly\n"
        + "Steps: 4, Sampler: euler, Schedule type: karras, CFG scale: 7.5, Seed: 3, Size: 64x64, Model hash: 6ce0161689, "
        + "Model: v1-5, VAE hash: 735e4c3a44, VAE: ft-mse.safetensors, "
        + "Lora hashes: \"fox: ace7c9a44592, abc: 0123456789ab\", RNG: torch, Version: ldm4j");
  }

  @Test
  void tiHashesFollowTheLoraHashesAsA1111WritesThem() {
    Map<String, String> ti = new LinkedHashMap<>();
    ti.put("easynegative", "c74b4e810b03");
    ti.put("my:emb,x", "0123456789ab");
    Provenance p = new Provenance("a fox <lora:fox:0.8>", "easynegative", Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), Map.of("fox", "ace7c9a44592")).withTiHashes(ti);

    String text = ParametersText.format(new GenerationRequest.TextToImage("a fox ", "easynegative", S), "euler", "karras", 3,
        "folder", p);

    // A1111 (>= 1.6, sd_hijack_clip): "TI hashes" after "Lora hashes", names without ':' and ',', quoted
    assertThat(text).endsWith("Lora hashes: \"fox: ace7c9a44592\", "
        + "TI hashes: \"easynegative: c74b4e810b03, myembx: 0123456789ab\", RNG: torch, Version: ldm4j");
  }

  @Test
  void withoutProvenanceTheRequestAndFolderNameAreWritten() {
    String text = ParametersText.format(new GenerationRequest.TextToImage("x", "", S), "euler", "karras", 3, "my, model");

    assertThat(text).isEqualTo("x\nSteps: 4, Sampler: euler, Schedule type: karras, CFG scale: 7.5, Seed: 3, Size: 64x64, "
        + "Model: \"my, model\", RNG: torch, Version: ldm4j");
  }

  @Test
  void theCfgCutoffIsWrittenAsA1111sNgms() {
    GenerationSettings cut = S.toBuilder().guidanceCutoff(1.5).build();
    String text = ParametersText.format(new GenerationRequest.TextToImage("x", "", cut), "euler", "karras", 3, "m");

    // A1111 create_infotext: "NGMS" (s_min_uncond) after "RNG", "NGMS all steps" (s_min_uncond_all) with the extra params
    assertThat(text).endsWith("Model: m, RNG: torch, NGMS: 1.5, NGMS all steps: True, Version: ldm4j");
  }

  @Test
  void variationAndSeedResizeFollowTheVaeAsA1111WritesThemWithTheImagesOwnSubseed() {
    // A1111 create_infotext: "Variation seed", "Variation seed strength", "Seed resize from" (w x h)
    // after "VAE"; with a variation every image keeps the seed and image i has subseed + i
    GenerationSettings v = S.toBuilder().batchSize(3).variation(new Variation(100, 0.25)).seedResize(new SeedResize(48, 80)).build();

    String text = ParametersText.forImage(new GenerationRequest.TextToImage("x", "", v), "euler", "karras", 2, "m",
        Provenance.of(new GenerationRequest.TextToImage("x", "", v)));

    assertThat(text).isEqualTo("x\nSteps: 4, Sampler: euler, Schedule type: karras, CFG scale: 7.5, Seed: 3, Size: 64x64, "
        + "Model: m, Variation seed: 102, Variation seed strength: 0.25, Seed resize from: 48x80, RNG: torch, Version: ldm4j");
  }

  @Test
  void quoteIsJsonForCommasColonsAndLineBreaksOnly() {
    assertThat(ParametersText.quote("plain name")).isEqualTo("plain name");
    assertThat(ParametersText.quote("a: \"b\"\\\n")).isEqualTo("\"a: \\\"b\\\"\\\\\\n\"");
  }

  @Test
  void parseReadsWhatFormatWrites() {
    Provenance p = new Provenance("a fox,\nby night", "ugly, blurry", Optional.empty(), Optional.of("my: model"),
        Optional.empty(), Optional.empty(), Map.of("fox", "ace7c9a44592"));
    String text = ParametersText.format(new GenerationRequest.TextToImage("a fox", "ugly", S), "euler", "karras", 3, "f", p);

    Map<String, String> m = ParametersText.parse(text);

    assertThat(m).containsExactly(Map.entry("Prompt", "a fox,\nby night"), Map.entry("Negative prompt", "ugly, blurry"),
        Map.entry("Steps", "4"), Map.entry("Sampler", "euler"), Map.entry("Schedule type", "karras"),
        Map.entry("CFG scale", "7.5"), Map.entry("Seed", "3"), Map.entry("Size-1", "64"), Map.entry("Size-2", "64"),
        Map.entry("Model", "my: model"), Map.entry("Lora hashes", "fox: ace7c9a44592"), Map.entry("RNG", "torch"),
        Map.entry("Version", "ldm4j"));
  }

  @Test
  void parseFollowsA1111sRules() {
    // expected values traced by hand through AUTOMATIC1111 modules/infotext_utils.py parse_generation_parameters
    // (v1.10: re_param, the >= 3 pairs rule for the last line, unquote = json.loads, re_imagesize -> Key-1/Key-2,
    // an empty value dropped), without the defaults it fills in afterwards
    assertThat(ParametersText.parse("only a prompt\nSteps: 20, Seed: 1")).containsExactly(
        Map.entry("Prompt", "only a prompt\nSteps: 20, Seed: 1"), Map.entry("Negative prompt", ""));
    assertThat(ParametersText.parse("p\nNegative prompt: n1\nn2\nAb: 1, Bc: , Cd: \"x\\u00e9\\\"y\", Hires resize: 10x20"))
        .containsExactly(Map.entry("Prompt", "p"), Map.entry("Negative prompt", "n1\nn2"), Map.entry("Ab", "1"),
            Map.entry("Cd", "x\u00e9\"y"), Map.entry("Hires resize-1", "10"), Map.entry("Hires resize-2", "20"));
    // a quote not closed before a comma is an unquoted value up to the comma; a key has two characters at least
    assertThat(ParametersText.parse("kk: \"a, Aa: 1, Bb: 2, C: 3")).containsExactly(Map.entry("Prompt", ""),
        Map.entry("Negative prompt", ""), Map.entry("kk", "\"a"), Map.entry("Aa", "1"), Map.entry("Bb", "2"));
    assertThat(ParametersText.parse("")).containsExactly(Map.entry("Prompt", ""), Map.entry("Negative prompt", ""));
  }

  @Test
  void parseRefusesTextOverItsLimit() {
    String big = "x".repeat(ParametersText.MAX_PARSE_LENGTH + 1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParametersText.parse(big))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
  }
}
