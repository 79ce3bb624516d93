package io.github.ldm4j.checkpoint.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code FILE[:WEIGHT[:UNET_WEIGHT]]}, the file part as a path or through a resolver (a library name). */
class AppliedLoraTest {

  @Test
  void weightsDefaultAsA1111Orders() {
    assertThat(AppliedLora.parse("a.safetensors")).isEqualTo(new AppliedLora(Path.of("a.safetensors"), 1, 1));
    assertThat(AppliedLora.parse("a.safetensors:0.5")).isEqualTo(new AppliedLora(Path.of("a.safetensors"), 0.5, 0.5));
    assertThat(AppliedLora.parse("c:/x/a:0.5:-1")).isEqualTo(new AppliedLora(Path.of("c:/x/a"), 0.5, -1));
  }

  @Test
  void theFilePartGoesThroughTheResolver() {
    Path lib = Path.of("models", "Lora");
    assertThat(AppliedLora.parse("style/fox:0.8", name -> lib.resolve(name + ".safetensors")))
        .isEqualTo(new AppliedLora(lib.resolve("style/fox.safetensors"), 0.8, 0.8));
    assertThatThrownBy(() -> AppliedLora.parse("nope:1", name -> {
      throw new IllegalArgumentException("no LoRA '" + name + "'");
    })).isInstanceOf(IllegalArgumentException.class).hasMessage("'nope:1': no LoRA 'nope'");
  }
}
