package io.github.ldm4j.conditioning.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The extra-network tags of AUTOMATIC1111 (modules/extra_networks.py {@code parse_prompt}, the
 * {@code ExtraNetworkParams} split into positional and named items, and the LoRA handler's reading
 * of them in extensions-builtin/Lora/extra_networks_lora.py), as documented: expected values are
 * worked out by hand from those rules.
 */
class ExtraNetworksTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    // tag                               | te    | unet
    "<lora:fox>                          | 1.0   | 1.0",
    "<lora:fox:0.8>                      | 0.8   | 0.8",
    "<lora:fox:0.5:1.25>                 | 0.5   | 1.25",
    "<lora:fox:-1>                       | -1.0  | -1.0",
    "<lora:fox:+.5>                      | 0.5   | 0.5",
    "<lora:fox:1e-1>                     | 0.1   | 0.1",
    "<lora:fox: 0.7 >                    | 0.7   | 0.7",
    "<lora:fox:te=0.5:unet=1>            | 0.5   | 1.0",
    "<lora:fox:te=0.5>                   | 0.5   | 0.5",
    "<lora:fox:unet=0.3>                 | 1.0   | 0.3",
    "<lora:fox:0.8:unet=0>               | 0.8   | 0.0",
    "<lora:fox:0.2:0.4:te=0.9>           | 0.9   | 0.4",
    "<lyco:fox:0.6>                      | 0.6   | 0.6",
  })
  void readsEveryForm(String tag, double te, double unet) {
    ExtraNetworkPrompt p = ExtraNetworks.parse("a " + tag + " cat");

    assertThat(p.prompt()).isEqualTo("a  cat");
    assertThat(p.loras()).containsExactly(new LoraTag("fox", te, unet));
  }

  @Test
  void severalStackInPromptOrderAndTheTextAroundStaysAsWritten() {
    ExtraNetworkPrompt p = ExtraNetworks.parse("<lora:b:0.5>(red:1.2) fox, <lora:sub/a>,\nBREAK <lyco:c>");

    assertThat(p.prompt()).isEqualTo("(red:1.2) fox, ,\nBREAK ");
    assertThat(p.loras()).extracting(LoraTag::name).containsExactly("b", "sub/a", "c");
  }

  @Test
  void textThatIsNoTagStays() {
    for (String s : List.of("a <lora:> b", "<lora>", "<:x>", "a < lora:x> b", "x <lora:x", "1 < 2 > 0", "")) {
      assertThat(ExtraNetworks.parse(s)).isEqualTo(new ExtraNetworkPrompt(s, List.of()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "<hypernet:anime:1>   | unsupported extra network <hypernet:anime:1>",
    "<LORA:x>             | unsupported extra network <LORA:x>",
    "<lora:x:abc>         | <lora:x:abc>: 'abc' is not a number",
    "<lora:x::1>          | <lora:x::1>: '' is not a number",
    "<lora:x:nan>         | <lora:x:nan>: 'nan' is not a number",
    "<lora:x:1e999>       | <lora:x:1e999>: '1e999' is not a finite number",
    "<lora:x:te=>         | <lora:x:te=>: '' is not a number",
    "<lora:x:dyn=8>       | <lora:x:dyn=8>: the dynamic rank (dyn=) is not supported",
    "<lora:x:1:1:8>       | <lora:x:1:1:8>: the dynamic rank (fourth value) is not supported",
    "<lora:x:1:1:8:9>     | <lora:x:1:1:8:9>: too many values",
    "<lora:x:w=1>         | <lora:x:w=1>: unknown named value 'w'",
    "<lora:te=1>          | <lora:te=1>: no LoRA name",
    "<lora: :1>           | <lora: :1>: no LoRA name",
  })
  void malformedTagsAreRefusedByName(String tag, String message) {
    assertThatThrownBy(() -> ExtraNetworks.parse("a " + tag))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message.strip());
  }

  @Test
  void theSameLoraTwiceIsRefused() {
    assertThatThrownBy(() -> ExtraNetworks.parse("<lora:x:1> <lyco:x:0.5>"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x' is given twice");
  }

  @Test
  void negativePromptTagsAreRefused() {
    ExtraNetworks.requireNone("ugly, (blurry:1.2), a < b");
    assertThatThrownBy(() -> ExtraNetworks.requireNone("ugly <lora:x:1>"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<lora:x:1> in the negative prompt");
  }

  @Test
  void nullIsRefused() {
    assertThatThrownBy(() -> ExtraNetworks.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
