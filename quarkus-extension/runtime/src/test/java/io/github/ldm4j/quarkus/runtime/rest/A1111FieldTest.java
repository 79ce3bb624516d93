package io.github.ldm4j.quarkus.runtime.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The A1111 field table: the request records bind exactly its implemented and hires fields,
 * docs/a1111-api.md holds it (regenerate with {@code -Da1111.docs.write=true}), and its checks.
 */
class A1111FieldTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DOC = Path.of("..", "..", "docs", "a1111-api.md");
  private static final String BEGIN = "<!-- a1111-fields:begin (generated from A1111Field; A1111FieldTest checks it) -->\n";
  private static final String END = "<!-- a1111-fields:end -->";

  private static Set<String> components(Class<? extends Record> type) {
    PropertyNamingStrategies.SnakeCaseStrategy snake = new PropertyNamingStrategies.SnakeCaseStrategy();
    return Arrays.stream(type.getRecordComponents()).map(c -> snake.translate(c.getName()))
        .filter(n -> !n.equals("loras")) // ldm4j's own field
        .collect(Collectors.toSet());
  }

  @Test
  void theRecordsBindTheTablesImplementedFields() {
    assertThat(components(A1111Resource.Txt2ImgRequest.class)).isEqualTo(A1111Field.bound(A1111Field.Scope.TXT2IMG));
    assertThat(components(A1111Resource.Img2ImgRequest.class)).isEqualTo(A1111Field.bound(A1111Field.Scope.IMG2IMG));
  }

  @Test
  void theDocumentHoldsTheTable() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int b = doc.indexOf(BEGIN);
    int e = doc.indexOf(END);
    assertThat(b).as("%s has the generated-table markers", DOC).isNotNegative();
    String expected = A1111Field.markdownTable();
    if (Boolean.getBoolean("a1111.docs.write")) {
      doc = doc.substring(0, b + BEGIN.length()) + expected + doc.substring(e);
      Files.writeString(DOC, doc, StandardCharsets.UTF_8);
    }
    assertThat(doc.substring(b + BEGIN.length(), doc.indexOf(END)))
        .as("docs/a1111-api.md is A1111Field's table; regenerate with -Da1111.docs.write=true").isEqualTo(expected);
  }

  @Test
  void neutralValuesAreSilentAndOthersReported() throws IOException {
    JsonNode quiet = JSON.readTree("{\"restore_faces\":false,\"tiling\":null,\"styles\":[],\"eta\":0,\"s_noise\":1,"
        + "\"mask_round\":true,\"initial_noise_multiplier\":1.0,\"refiner_checkpoint\":\"None\",\"script_name\":\"\","
        + "\"alwayson_scripts\":{\"controlnet\":{\"args\":[]},\"x\":{}},\"infotext\":null,\"comments\":{}}");
    assertThat(A1111Field.check(A1111Field.Scope.IMG2IMG, quiet)).isEmpty();
    JsonNode asked = JSON.readTree("{\"tiling\":true,\"restore_faces\":true,\"s_noise\":0.9,\"mask_round\":false,"
        + "\"inpainting_fill\":2,\"unknown\":true,\"hr_scale\":2}");
    assertThat(A1111Field.check(A1111Field.Scope.IMG2IMG, asked))
        .containsExactly("restore_faces", "tiling", "s_noise", "mask_round", "inpainting_fill");
    // 0 is not neutral where it asks for something: inpainting_fill 0 = "fill", no noise
    assertThat(A1111Field.check(A1111Field.Scope.IMG2IMG,
        JSON.readTree("{\"inpainting_fill\":0,\"s_noise\":0,\"initial_noise_multiplier\":0,\"eta\":0}")))
        .containsExactly("s_noise", "inpainting_fill", "initial_noise_multiplier");
    // hires fields belong to txt2img: on img2img they are no A1111 field, ignored silently
    assertThat(A1111Field.check(A1111Field.Scope.TXT2IMG, JSON.readTree("{\"mask_blur\":8}"))).isEmpty();
  }

  @Test
  void refusedFieldsAndWrongTypesName400s() {
    assertThatThrownBy(() -> A1111Field.check(A1111Field.Scope.TXT2IMG,
        JSON.readTree("{\"alwayson_scripts\":{\"controlnet\":{\"args\":[{\"enabled\":true}]}}}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("alwayson_scripts.controlnet"));
    assertThatThrownBy(() -> A1111Field.check(A1111Field.Scope.TXT2IMG, JSON.readTree("{\"script_name\":\"x/y/z plot\"}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("script_name"));
    assertThatThrownBy(() -> A1111Field.check(A1111Field.Scope.TXT2IMG, JSON.readTree("{\"tiling\":\"true\"}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("'tiling' must be a boolean"));
    assertThatThrownBy(() -> A1111Field.check(A1111Field.Scope.IMG2IMG, JSON.readTree("{\"mask_blur\":4.5}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("'mask_blur' must be an integer"));
  }
}
