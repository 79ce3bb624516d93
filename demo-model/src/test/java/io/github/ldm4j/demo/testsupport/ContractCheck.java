package io.github.ldm4j.demo.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import java.util.Map;

/**
 * Test helper: checks a loaded folder's declared tensor contract against reference facts §4 and
 * runs every component once, checking output names, dtypes, shapes and finiteness.
 */
public final class ContractCheck {

  private ContractCheck() {
  }

  /**
   * @param unetIn UNet input channels (4 or 9)
   * @param width text encoder hidden width = UNet context width
   * @param latent latent side to run at
   */
  public static void check(OrtFolder m, ExportFlavor flavor, Precision precision, int unetIn, int width, int latent)
      throws OrtException {
    OnnxJavaType ft = precision.floatType() == io.github.ldm4j.export.onnx.ElementType.FLOAT ? OnnxJavaType.FLOAT : OnnxJavaType.FLOAT16;
    OnnxJavaType ids = flavor == ExportFlavor.LEGACY ? OnnxJavaType.INT32 : OnnxJavaType.INT64;

    expect(m.inputs("text_encoder"), "input_ids", ids, -1, -1);
    expect(m.outputs("text_encoder"), "last_hidden_state", ft, -1, -1, width);
    expect(m.outputs("text_encoder"), "pooler_output", ft, -1, width);

    Map<String, NodeInfo> unetIn2 = m.inputs("unet");
    assertThat(unetIn2.keySet()).containsExactlyInAnyOrder("sample", "timestep", "encoder_hidden_states");
    TensorInfo sample = tensor(unetIn2, "sample");
    assertThat(sample.type).isEqualTo(ft);
    assertThat(sample.getShape()).hasSize(4);
    assertThat(sample.getShape()[1]).isEqualTo(unetIn);
    TensorInfo t = tensor(unetIn2, "timestep");
    switch (flavor) {
      case LEGACY -> {
        assertThat(t.type).isEqualTo(ft);
        assertThat(t.getShape()).containsExactly(-1);
      }
      case OPTIMUM -> {
        assertThat(t.type).isEqualTo(ft);
        assertThat(t.getShape()).isEmpty();
      }
      case OPENVINO -> {
        assertThat(t.type).isEqualTo(OnnxJavaType.INT64);
        assertThat(t.getShape()).containsExactly(-1);
      }
    }
    expect(unetIn2, "encoder_hidden_states", ft, -1, -1, width);
    assertThat(m.outputs("unet").keySet()).containsExactly("out_sample");
    assertThat(tensor(m.outputs("unet"), "out_sample").type).isEqualTo(ft);

    expect(m.inputs("vae_decoder"), "latent_sample", ft, -1, 4, -1, -1);
    expect(m.outputs("vae_decoder"), "sample", ft, -1, 3, -1, -1);
    expect(m.inputs("vae_encoder"), "sample", ft, -1, 3, -1, -1);
    assertThat(m.outputs("vae_encoder").keySet()).containsExactly(flavor.vaeEncoderOutput());
    expect(m.outputs("vae_encoder"), flavor.vaeEncoderOutput(), ft, -1,
        flavor.encoderOutputsParameters() ? 8 : 4, -1, -1);

    // Run every component at batch 2 and check actual shapes and finiteness.
    int b = 2;
    long[][] prompt = {PromptIds.of("a red circle"), PromptIds.of("")};
    OrtFolder.Out[] text = m.encodeText(prompt);
    assertThat(text[0].shape()).containsExactly(b, PromptIds.LENGTH, width);
    assertThat(text[1].shape()).containsExactly(b, width);
    assertFinite(text[0].data());
    assertFinite(text[1].data());

    float[] x = DdimLoop.noise(b * unetIn * latent * latent, 1);
    OrtFolder.Out eps = m.unet(x, new long[] {b, unetIn, latent, latent}, 500, text[0].data(), text[0].shape());
    assertThat(eps.shape()).containsExactly(b, 4, latent, latent);
    assertFinite(eps.data());
    if (flavor != ExportFlavor.OPTIMUM) {
      OrtFolder.Out perItem = m.unet(x, new long[] {b, unetIn, latent, latent}, new double[] {500, 500},
          text[0].data(), text[0].shape());
      assertThat(perItem.data()).containsExactly(eps.data());
    }

    OrtFolder.Out img = m.decode(DdimLoop.noise(b * 4 * latent * latent, 2), new long[] {b, 4, latent, latent});
    assertThat(img.shape()).containsExactly(b, 3, 8L * latent, 8L * latent);
    assertFinite(img.data());
    OrtFolder.Out enc = m.encode(img.data(), img.shape());
    assertThat(enc.shape()).containsExactly(b, flavor.encoderOutputsParameters() ? 8 : 4, latent, latent);
    assertFinite(enc.data());
  }

  /** Asserts every value is finite. */
  public static void assertFinite(float[] data) {
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new AssertionError("non-finite value " + data[i] + " at " + i);
      }
    }
  }

  private static void expect(Map<String, NodeInfo> infos, String name, OnnxJavaType type, long... shape) {
    TensorInfo t = tensor(infos, name);
    assertThat(t.type).as(name + " dtype").isEqualTo(type);
    long[] actual = t.getShape();
    assertThat(actual).as(name + " rank").hasSize(shape.length);
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] >= 0) {
        assertThat(actual[i]).as(name + " dim " + i).isEqualTo(shape[i]);
      }
    }
  }

  private static TensorInfo tensor(Map<String, NodeInfo> infos, String name) {
    NodeInfo n = infos.get(name);
    assertThat(n).as("declared " + name + " among " + infos.keySet()).isNotNull();
    return (TensorInfo) n.getInfo();
  }
}
