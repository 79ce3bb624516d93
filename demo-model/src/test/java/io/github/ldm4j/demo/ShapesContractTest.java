package io.github.ldm4j.demo;

import io.github.ldm4j.demo.testsupport.ContractCheck;
import io.github.ldm4j.demo.testsupport.OrtFolder;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Family 2: every flavor × precision × variant loads and runs in ONNX Runtime with the declared contract. */
class ShapesContractTest {

  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(ExportFlavor.class)
  void everyPrecisionAndVariantMatchesTheContract(ExportFlavor flavor) throws Exception {
    for (Precision p : java.util.List.of(Precision.FP32, Precision.FP16)) { // int8 is refused (ShapesOptionsTest)
      for (PipelineVariant v : PipelineVariant.values()) {
        Path dir = tmp.resolve(p + "-" + v);
        ShapesOptions opts = ShapesOptions.defaults().withImageSize(32).withFlavor(flavor).withPrecision(p)
            .withVariant(v);
        ShapesModel.write(dir, opts);
        try (OrtFolder m = new OrtFolder(dir, flavor, p)) {
          ContractCheck.check(m, flavor, p, v == PipelineVariant.INPAINTING ? 9 : 4, 8, 4);
        }
      }
    }
  }
}
