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
}
