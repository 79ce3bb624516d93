package io.github.ldm4j.generate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.SeedResize;
import io.github.ldm4j.generate.Variation;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden noise from AUTOMATIC1111's own {@code ImageRNG} (modules/rng.py at commit
 * 0d5dc9a6e7f6362e423a06bf0e75dd5854025394, CPU noise) run by torch 1.13.1, made by {@code
 * generate/src/test/python/variation_noise_golden.py}: variation seeds (slerp), its lerp fallback,
 * seed resize, and the generators' next draw.
 */
class InitialNoiseTest {

  private static Map<String, Map<String, String>> cases() throws IOException {
    String text;
    try (InputStream in = InitialNoiseTest.class.getResourceAsStream("/golden/variation/noise.txt")) {
      assertThat(in).isNotNull();
      text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
    Map<String, Map<String, String>> cases = new HashMap<>();
    Map<String, String> current = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int sp = line.indexOf(' ');
      String key = sp < 0 ? line : line.substring(0, sp);
      String value = sp < 0 ? "" : line.substring(sp + 1).trim();
      if (key.equals("case")) {
        current = new HashMap<>();
        cases.put(value, current);
      } else {
        current.put(key, value);
      }
    }
    return cases;
  }

  private static long[] longs(String v) {
    return v.isEmpty() ? new long[0] : Arrays.stream(v.split(" ")).mapToLong(Long::parseLong).toArray();
  }

  private static float[] floats(String v) {
    String[] p = v.split(" ");
    float[] f = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      f[i] = Float.parseFloat(p[i]);
    }
    return f;
  }

  @ParameterizedTest
  @ValueSource(strings = {"variation", "variation_full", "variation_same_seed", "resize", "resize_variation"})
  void matchesA1111ImageRng(String name) throws IOException {
    Map<String, String> c = cases().get(name);
    assertThat(c).as(name).isNotNull();
    long[] shape = longs(c.get("shape"));
    long[] seeds = longs(c.get("seeds"));
    long[] subseeds = longs(c.get("subseeds"));
    double strength = Double.parseDouble(c.get("strength"));
    long[] resize = longs(c.get("resize"));
    int b = seeds.length;
    GenerationSettings.Builder builder = GenerationSettings.builder()
        .size((int) shape[2] * 8, (int) shape[1] * 8).batchSize(b).seed(seeds[0]);
    if (strength != 0) {
      builder.variation(new Variation(subseeds[0], strength));
    }
    if (resize[0] > 0) {
      builder.seedResize(new SeedResize((int) resize[1], (int) resize[0]));
    }
    GenerationSettings s = builder.build();
    List<RandomSource> perImage = new ArrayList<>();
    for (int i = 0; i < b; i++) {
      assertThat(s.imageSeed(i)).isEqualTo(seeds[i]);
      if (strength != 0) {
        assertThat(s.imageSubseed(i)).contains(subseeds[i]);
      }
      perImage.add(s.rng().create(s.imageSeed(i)));
    }
    RandomSource rng = RandomSource.perItem(perImage);
    Shape latent = Shape.of(b, (int) shape[0], (int) shape[1], (int) shape[2]);
    Tensor first = InitialNoise.first(rng, latent, s, 8);
    Tensor second = rng.randn(latent);
    assertThat(first.maxAbsDiff(Tensor.of(floats(c.get("first")), latent.dims()))).isLessThan(1e-6);
    assertThat(second.maxAbsDiff(Tensor.of(floats(c.get("second")), latent.dims()))).isLessThan(1e-6);
  }

  @Test
  void withoutVariationOrResizeTheNoiseIsTheGeneratorsOwn() {
    GenerationSettings s = GenerationSettings.builder().size(40, 48).batchSize(2).seed(9).build();
    Shape latent = Shape.of(2, 4, 6, 5);
    Tensor noise = InitialNoise.first(RandomSource.perItem(List.of(s.rng().create(9), s.rng().create(10))), latent, s, 8);
    Tensor plain = RandomSource.perItem(List.of(s.rng().create(9), s.rng().create(10))).randn(latent);
    assertThat(noise.maxAbsDiff(plain)).isZero();
  }

  @Test
  void variationStrengthOutsideTheUnitIntervalIsRefused() {
    assertThatThrownBy(() -> new Variation(1, 0)).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> new Variation(1, 1.5)).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> new Variation(1, Double.NaN)).hasMessageContaining("(0, 1]");
    assertThatThrownBy(() -> new SeedResize(0, 64)).hasMessageContaining("at least 8x8");
  }
}
