package io.github.ldm4j.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.export.folder.GeneratedFolder;
import io.github.ldm4j.export.folder.PipelineVariant;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.testkit.sd.SdModel;
import io.github.ldm4j.testkit.sd.SdOptions;
import io.github.ldm4j.demo.ShapeColour;
import io.github.ldm4j.demo.ShapeKind;
import io.github.ldm4j.demo.ShapesDataset;
import io.github.ldm4j.demo.ShapesModel;
import io.github.ldm4j.demo.ShapesOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins generations bit for bit: the SHA-256 of every image's 8-bit RGB for a set of front ends,
 * samplers and model variants (shapes oracle and tiny SD, fp32 and fp16, eps and v, inpainting,
 * CLIP skip). Refactorings must not change the numerics; a deliberate numerical change regenerates
 * the file with {@code -Dldm4j.golden.write=path/to/generations.properties} and says why in its
 * commit. The hashes were recorded by this test on the code before the "one path" redesign (#12).
 */
class GoldenGenerationsTest {

  private static final String RESOURCE = "/golden/generations.properties";

  @TempDir static Path dir;

  @Test
  void generationsAreBitIdenticalToThePinnedOnes() throws Exception {
    Map<String, String> actual = new LinkedHashMap<>();
    shapes(actual);
    tinySd(actual);
    String out = System.getProperty("ldm4j.golden.write");
    if (out != null) {
      StringBuilder sb = new StringBuilder("# SHA-256 of 8-bit RGB, written by GoldenGenerationsTest\n");
      actual.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
      Files.writeString(Path.of(out), sb.toString(), StandardCharsets.UTF_8);
      return;
    }
    Properties expected = new Properties();
    try (InputStream in = GoldenGenerationsTest.class.getResourceAsStream(RESOURCE)) {
      assertThat(in).as(RESOURCE).isNotNull();
      expected.load(in);
    }
    assertThat(actual).hasSize(expected.size());
    actual.forEach((k, v) -> assertThat(v).as(k).isEqualTo(expected.getProperty(k)));
  }

  private static void shapes(Map<String, String> out) throws IOException {
    int size = 128;
    ShapesOptions base = ShapesOptions.defaults().withImageSize(size);
    ShapesDataset data = ShapesDataset.of(size);
    RgbImage blueSquare = new RgbImage(size, size, data.image(ShapesDataset.index(ShapeColour.BLUE, ShapeKind.SQUARE)));
    Mask leftHalf = leftHalf(size);
    GenerationSettings s = GenerationSettings.builder().size(size, size).steps(12).build();

    try (Generator g = open(ShapesModel.write(dir.resolve("shapes"), base))) {
      for (String[] ss : new String[][] {
          {"euler", "karras"}, {"ddim", "ddim_uniform"}, {"dpmpp_2m", "karras"}, {"plms", "ddim_uniform"},
          {"dpm_solver", "normal"}, {"euler_ancestral", "normal"}, {"dpmpp_sde", "karras"}, {"heun", "exponential"},
          {"dpmpp_2m_sde", "karras"}, {"lms", "karras"}, {"uni_pc", "simple"}, {"dpmpp_3m_sde", "karras"}, {"lcm", "normal"}}) {
        put(out, "shapes.txt2img." + ss[0] + "." + ss[1], g, new GenerationRequest.TextToImage(
            "a red circle", "", s.toBuilder().sampler(ss[0], ss[1]).seed(7, RngKind.TORCH).build()));
      }
      put(out, "shapes.txt2img.default.batch2.numpy", g, new GenerationRequest.TextToImage(
          "a green triangle", "a red square", s.toBuilder().batchSize(2).seed(3, RngKind.NUMPY).build()));
      put(out, "shapes.txt2img.rescale", g, new GenerationRequest.TextToImage(
          "a (yellow:1.2) cross", "", s.toBuilder().guidance(5, 0.7).seed(11, RngKind.TORCH).build()));
      put(out, "shapes.img2img", g, new GenerationRequest.ImageToImage(
          "a blue circle", "", s.toBuilder().sampler("euler", "karras").seed(5, RngKind.TORCH).build(), blueSquare, 0.6));
      put(out, "shapes.inpaint.blend", g, new GenerationRequest.Inpainting(
          "a red circle", "", s.toBuilder().sampler("dpmpp_2m", "karras").seed(9, RngKind.TORCH).build(),
              blueSquare, leftHalf, 1.0));
    }
    try (Generator g = open(ShapesModel.write(dir.resolve("shapes-inpaint-v"),
        base.withVariant(PipelineVariant.INPAINTING).withPrediction(Parameterization.V)))) {
      put(out, "shapes-inpaint-v.inpaint", g, new GenerationRequest.Inpainting(
          "a green cross", "", s.toBuilder().sampler("euler", "karras").seed(2, RngKind.TORCH).build(),
              blueSquare, leftHalf, 0.9));
      put(out, "shapes-inpaint-v.txt2img", g, new GenerationRequest.TextToImage(
          "a yellow square", "", s.toBuilder().sampler("ddim", "ddim_uniform").seed(4, RngKind.TORCH).build()));
    }
  }

  private static void tinySd(Map<String, String> out) throws IOException {
    GenerationSettings s = GenerationSettings.builder().size(64, 64).steps(6).build();
    Function<SdOptions, Path> write = o -> SdModel.write(
        dir.resolve("sd-" + o.precision() + "-" + o.variant() + "-" + o.flavor()), o).root();
    try (Generator g = open(write.apply(SdOptions.tiny().withTextHiddenStates(true)))) {
      put(out, "tiny.fp32.euler", g, new GenerationRequest.TextToImage(
          "a photo of a cat", "blurry", s.toBuilder().sampler("euler", "karras").seed(1, RngKind.TORCH).build()));
      for (String[] ss : new String[][] {
          {"ddim", "ddim_uniform"}, {"plms", "ddim_uniform"}, {"dpm_solver", "normal"}, {"euler_ancestral", "normal"},
          {"dpmpp_sde", "karras"}, {"heun", "exponential"}, {"dpmpp_2m_sde", "karras"}, {"lms", "karras"},
          {"uni_pc", "simple"}, {"dpmpp_3m_sde", "karras"}, {"lcm", "normal"}, {"dpm_2_ancestral", "karras"},
          {"dpmpp_2s_ancestral", "karras"}, {"ddpm", "normal"}}) {
        put(out, "tiny.fp32." + ss[0] + "." + ss[1], g, new GenerationRequest.TextToImage(
            "a photo of a cat", "blurry", s.toBuilder().sampler(ss[0], ss[1]).seed(1, RngKind.TORCH).build()));
      }
      put(out, "tiny.fp32.default.batch2.rescale", g, new GenerationRequest.TextToImage(
          "a (photo:1.3) of a [cat]", "", s.toBuilder().batchSize(2).guidance(6, 0.5).seed(8, RngKind.NUMPY).build()));
      put(out, "tiny.fp32.clipskip2", g, new GenerationRequest.TextToImage(
          "a photo of a cat", "", s.toBuilder().sampler("euler", "karras").seed(1, RngKind.TORCH).clipSkip(2).build()));
      put(out, "tiny.fp32.img2img", g, new GenerationRequest.ImageToImage(
          "a dog", "", s.toBuilder().sampler("ddim", "ddim_uniform").seed(2, RngKind.TORCH).build(), gradient(64), 0.5));
    }
    try (Generator g = open(write.apply(SdOptions.tiny().withPrecision(Precision.FP16)))) {
      put(out, "tiny.fp16.dpmpp_2m", g, new GenerationRequest.TextToImage(
          "a photo of a cat", "", s.toBuilder().sampler("dpmpp_2m", "karras").seed(3, RngKind.TORCH).build()));
    }
    try (Generator g = open(write.apply(SdOptions.tiny().withVariant(PipelineVariant.INPAINTING)))) {
      put(out, "tiny.inpainting.inpaint", g, new GenerationRequest.Inpainting(
          "a cat", "", s.toBuilder().sampler("euler_ancestral", "normal").seed(4, RngKind.TORCH).build(),
              gradient(64), leftHalf(64), 1.0));
    }
  }

  private static Generator open(GeneratedFolder folder) throws IOException {
    return open(folder.root());
  }

  private static Generator open(Path folder) throws IOException {
    return Generator.open(folder, "onnx", BackendOptions.DEFAULTS, GenerationLimits.DEFAULTS);
  }

  private static void put(Map<String, String> out, String name, Generator g, GenerationRequest request) {
    GenerationResult r = g.generate(request);
    for (int i = 0; i < r.images().size(); i++) {
      GeneratedImage img = r.images().get(i);
      out.put(name + (r.images().size() > 1 ? "." + i : ""), sha256(img.image().rgb()));
    }
  }

  private static Mask leftHalf(int size) {
    float[] v = new float[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size / 2; x++) {
        v[y * size + x] = 1f;
      }
    }
    return new Mask(size, size, v);
  }

  private static RgbImage gradient(int size) {
    byte[] rgb = new byte[size * size * 3];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int o = (y * size + x) * 3;
        rgb[o] = (byte) (4 * x);
        rgb[o + 1] = (byte) (4 * y);
        rgb[o + 2] = (byte) (2 * (x + y));
      }
    }
    return new RgbImage(size, size, rgb);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new UncheckedIOException(new IOException(e));
    }
  }
}
