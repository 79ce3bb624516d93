package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A placement naming an unknown component fails the startup, naming the model and the valid components. */
class PlacementConfigInvalidTest {

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .overrideConfigKey("quarkus.ldm4j.model.placement.\"vae\"", "onnx:cpu")
      .assertException(t -> {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
          all.append(c.getMessage()).append('\n');
        }
        assertThat(all.toString()).contains("cannot open model \"default\"")
            .contains("unknown model component 'vae'; valid: [text_encoder, unet, vae_encoder, vae_decoder]");
      });

  @Test
  void startupFails() {
    // asserted by assertException
  }
}
