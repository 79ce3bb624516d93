package io.github.ldm4j.spi.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.model.ConditioningKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ContractsTest {

  private static TensorPort p(String name, PortType t, long... shape) {
    return new TensorPort(name, t, shape);
  }

  private static Map<String, TensorPort> ports(TensorPort... ps) {
    Map<String, TensorPort> m = new LinkedHashMap<>();
    for (TensorPort x : ps) {
      m.put(x.name(), x);
    }
    return m;
  }

  @Test
  void unetFormsAndKeys() {
    var out = ports(p("out_sample", PortType.FLOAT32, -1, 4, -1, -1));
    UNetContract legacy = UNetContract.resolve("unet", ports(p("sample", PortType.FLOAT32, -1, 4, -1, -1),
        p("timestep", PortType.FLOAT32, -1), p("encoder_hidden_states", PortType.FLOAT32, -1, 77, 768)), out, OptionalInt.empty());
    assertThat(legacy.timestepForm()).isEqualTo(TimestepForm.FLOAT_VECTOR);
    assertThat(legacy.conditioningKey()).isEqualTo(ConditioningKey.CROSSATTN);
    UNetContract inpaint = UNetContract.resolve("unet", ports(p("sample", PortType.FLOAT16, -1, 9, -1, -1),
        p("timestep", PortType.INT64, -1), p("encoder_hidden_states", PortType.FLOAT16, -1, 77, 768)),
        ports(p("out_sample", PortType.FLOAT16, -1, -1, -1, -1)), OptionalInt.empty());
    assertThat(inpaint.timestepForm()).isEqualTo(TimestepForm.INT64_VECTOR);
    assertThat(inpaint.outChannels()).isEqualTo(4);
    assertThat(inpaint.conditioningKey()).isEqualTo(ConditioningKey.HYBRID);
    UNetContract scalar = UNetContract.resolve("unet", ports(p("x", PortType.FLOAT32, -1, 4, 8, 8),
        p("t", PortType.FLOAT32)), ports(p("y", PortType.FLOAT32, -1, 4, 8, 8)), OptionalInt.empty());
    assertThat(scalar.timestepForm()).isEqualTo(TimestepForm.FLOAT_SCALAR);
    assertThat(scalar.conditioningKey()).isEqualTo(ConditioningKey.NONE);
  }

  @Test
  void unetRejectsWhatItCannotFeed() {
    var out = ports(p("out_sample", PortType.FLOAT32, -1, 4, -1, -1));
    assertThatThrownBy(() -> UNetContract.resolve("unet (f)", ports(p("latent", PortType.FLOAT32, 1, 4, 8, 8)), out, OptionalInt.empty()))
        .hasMessage("unet (f) has no 'sample' input (looked for [sample, x, latent_model_input]); it has [latent:FLOAT32[1, 4, 8, 8]]");
    assertThatThrownBy(() -> UNetContract.resolve("unet (f)", ports(p("sample", PortType.FLOAT32, 1, 4, 8, 8),
        p("timestep", PortType.INT32, 1)), out, OptionalInt.empty()))
        .hasMessageContaining("tensor 'timestep' is timestep:INT32[1], expected float [B], float scalar or int64 [B]");
    assertThatThrownBy(() -> UNetContract.resolve("unet (f)", ports(p("sample", PortType.FLOAT32, 1, 4, 8, 8),
        p("timestep", PortType.FLOAT32, 1), p("class_labels", PortType.INT64, 1)), out, OptionalInt.empty()))
        .hasMessageContaining("inputs ldm4j cannot feed: [class_labels]");
  }

  @Test
  void timestepValues() {
    assertThat(TimestepForm.INT64_VECTOR.longs(new float[] {999.4f, 500.6f}, "u")).containsExactly(999, 501);
    assertThat(TimestepForm.FLOAT_SCALAR.floats(new float[] {3, 3}, "u")).containsExactly(3f);
    assertThat(TimestepForm.FLOAT_SCALAR.shape(2)).isEmpty();
    assertThat(TimestepForm.INT64_VECTOR.shape(2)).containsExactly(2);
    assertThatThrownBy(() -> TimestepForm.INT64_SCALAR.longs(new float[] {1, 2}, "u"))
        .hasMessageContaining("takes one scalar timestep");
  }

  @Test
  void textEncoderAndVae() {
    TextEncoderContract te = TextEncoderContract.resolve("te", ports(p("input_ids", PortType.INT64, -1, 77)),
        ports(p("last_hidden_state", PortType.FLOAT32, -1, 77, 32), p("pooler_output", PortType.FLOAT32, -1, 32),
            p("hidden_states.10", PortType.FLOAT32, -1, 77, 32), p("hidden_states.2", PortType.FLOAT32, -1, 77, 32)));
    assertThat(te.hiddenStates()).extracting(TensorPort::name).containsExactly("hidden_states.2", "hidden_states.10");
    // CLIP skip n reads hidden_states.<L+1-n>, L the highest index (10 layers here)
    assertThat(te.hiddenStateForClipSkip(9, "te").name()).isEqualTo("hidden_states.2");
    assertThatThrownBy(() -> te.hiddenStateForClipSkip(2, "te"))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("'hidden_states.9'");
    assertThatThrownBy(() -> te.hiddenStateForClipSkip(11, "te")).hasMessageContaining("exceeds the 10 layers of te");
    TextEncoderContract plain = TextEncoderContract.resolve("te", ports(p("input_ids", PortType.INT64, -1, 77)),
        ports(p("last_hidden_state", PortType.FLOAT32, -1, 77, 32)));
    assertThatThrownBy(() -> plain.hiddenStateForClipSkip(2, "te"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("'hidden_states.0'").hasMessageContaining("[last_hidden_state]");
    assertThat(te.maxLength()).isEqualTo(77);
    assertThat(te.hiddenSize()).isEqualTo(32);
    assertThatThrownBy(() -> te.checkIds(new int[][] {new int[5]})).hasMessageContaining("row 0 has 5 tokens");
    VaeContract enc = VaeContract.encoder("enc", ports(p("sample", PortType.FLOAT32, -1, 3, -1, -1)),
        ports(p("latent_parameters", PortType.FLOAT32, -1, 8, -1, -1)));
    assertThat(enc.moments()).isTrue();
    assertThat(enc.latentChannels()).isEqualTo(4);
    assertThatThrownBy(() -> VaeContract.decoder("dec", ports(p("latent_sample", PortType.INT64, 1, 4, 8, 8)), ports()))
        .hasMessageContaining("expected float or float16 of rank 4");
  }
}
