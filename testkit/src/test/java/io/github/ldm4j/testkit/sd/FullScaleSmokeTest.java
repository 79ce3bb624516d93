package io.github.ldm4j.testkit.sd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.demo.testsupport.ContractCheck;
import io.github.ldm4j.demo.testsupport.DdimLoop;
import io.github.ldm4j.demo.testsupport.OrtFolder;
import io.github.ldm4j.demo.testsupport.PromptIds;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.folder.Precision;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Family 3, opt-in (writes 2–4 GB, minutes): generates the full-scale folder with the command and
 * runs every component once in ONNX Runtime at a small spatial size. Run with
 * {@code -Dldm4j.testkit.fullScale=true -Dtest=FullScaleSmokeTest}.
 */
@EnabledIfSystemProperty(named = "ldm4j.testkit.fullScale", matches = "true")
class FullScaleSmokeTest {

  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(Precision.class)
  void generatesLoadsAndRuns(Precision precision) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    long start = System.nanoTime();
    GeneratedFolder folder = FullScaleSdCommand.run(new String[] {tmp.toString(), "--precision",
        precision.name().toLowerCase(java.util.Locale.ROOT)}, new PrintStream(log, true, StandardCharsets.UTF_8));
    System.out.printf("%s: generated %.2f GB in %.1f s%n", precision, folder.totalBytes() / 1e9,
        (System.nanoTime() - start) / 1e9);
    String out = log.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("unet/model.onnx: 100%").contains("done:");
    assertThat(folder.models().get(1).hasExternalData()).isTrue();
    try (OrtFolder m = new OrtFolder(tmp, SdOptions.fullScale(precision).flavor(), precision)) {
      OrtFolder.Out[] text = m.encodeText(new long[][] {PromptIds.of("a red circle")});
      assertThat(text[0].shape()).containsExactly(1, 77, 768);
      ContractCheck.assertFinite(text[0].data());
      int l = 8;
      OrtFolder.Out eps = m.unet(DdimLoop.noise(4 * l * l, 1), new long[] {1, 4, l, l}, 981, text[0].data(),
          text[0].shape());
      assertThat(eps.shape()).containsExactly(1, 4, l, l);
      ContractCheck.assertFinite(eps.data());
      OrtFolder.Out img = m.decode(eps.data(), new long[] {1, 4, l, l});
      assertThat(img.shape()).containsExactly(1, 3, 8 * l, 8 * l);
      ContractCheck.assertFinite(img.data());
      OrtFolder.Out lat = m.encode(img.data(), img.shape());
      assertThat(lat.shape()).containsExactly(1, 8, l, l);
      ContractCheck.assertFinite(lat.data());
    }
    System.out.printf("%s: loaded and ran all components, %.1f s in total%n", precision,
        (System.nanoTime() - start) / 1e9);
  }
}
