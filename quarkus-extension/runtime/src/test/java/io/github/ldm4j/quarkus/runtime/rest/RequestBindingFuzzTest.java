package io.github.ldm4j.quarkus.runtime.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * JSON request binding as the REST endpoints do it ({@link Generations#parse}, ldm4j's own {@code
 * ObjectMapper}, without starting Quarkus) of arbitrary bodies into the request records ({@link
 * OpenAiImagesResource.ImagesRequest}, {@link A1111Resource.Txt2ImgRequest}, {@link
 * A1111Resource.Img2ImgRequest}; the input's first byte chooses one): the only allowed outcomes are
 * a record or an {@link ApiException} of status 400 (or 413 over the body limit, here {@value
 * #MAX_BODY} bytes); a bound request's hires-fix fields then map ({@link HiresFields}, for a first pass of
 * 64 × 64) to nothing, a {@code HiresFix} whose final size is a multiple of 8, or a 400. Any other exception — which the server would answer 500 — a hang or running out
 * of memory is a finding.
 *
 * <p>A plain {@code mvn verify} runs this in regression mode over the committed corpus ({@code
 * src/test/resources/io/github/ldm4j/quarkus/runtime/rest/RequestBindingFuzzTestInputs/bindArbitraryBodies/}).
 * To fuzz, see quarkus-extension/README.md.
 */
class RequestBindingFuzzTest {

  static final long MAX_BODY = 4096;

  private static final List<Class<?>> TYPES = List.of(OpenAiImagesResource.ImagesRequest.class,
      A1111Resource.Txt2ImgRequest.class, A1111Resource.Img2ImgRequest.class);

  private static final Generations GENERATIONS = new Generations(null, null, config(), null);

  /** A configuration whose only value used by parsing is the body limit. */
  private static Ldm4jConfig config() {
    Ldm4jConfig.Limits limits = (Ldm4jConfig.Limits) Proxy.newProxyInstance(Ldm4jConfig.class.getClassLoader(),
        new Class<?>[] {Ldm4jConfig.Limits.class}, (p, m, a) -> {
          if (m.getName().equals("maxRequestBodySize")) {
            return MAX_BODY;
          }
          throw new UnsupportedOperationException(m.getName());
        });
    return (Ldm4jConfig) Proxy.newProxyInstance(Ldm4jConfig.class.getClassLoader(), new Class<?>[] {Ldm4jConfig.class},
        (p, m, a) -> {
          if (m.getName().equals("limits")) {
            return limits;
          }
          throw new UnsupportedOperationException(m.getName());
        });
  }

  @FuzzTest(maxDuration = "5m")
  void bindArbitraryBodies(byte[] input) {
    if (input.length == 0) {
      return;
    }
    Class<?> type = TYPES.get((input[0] & 0xff) % TYPES.size());
    byte[] body = Arrays.copyOfRange(input, 1, input.length);
    Object bound;
    try {
      if (type == OpenAiImagesResource.ImagesRequest.class) {
        bound = GENERATIONS.parse(body, type);
      } else {
        // as the A1111 endpoints: a strict tree, the record bound from it, the field table's checks
        com.fasterxml.jackson.databind.node.ObjectNode tree = GENERATIONS.parseObject(body);
        bound = Generations.bind(tree, type);
        A1111Field.check(type == A1111Resource.Txt2ImgRequest.class ? A1111Field.Scope.TXT2IMG : A1111Field.Scope.IMG2IMG,
            tree);
      }
    } catch (ApiException expected) {
      assertThat(expected.status()).isIn(400, 413);
      if (expected.status() == 413) {
        assertThat((long) body.length).isGreaterThan(MAX_BODY);
      }
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    assertThat(bound).isInstanceOf(type);
    assertThat((long) body.length).isLessThanOrEqualTo(MAX_BODY);
    Optional<HiresFix> hires;
    try {
      hires = switch (bound) {
        case OpenAiImagesResource.ImagesRequest r -> {
          assertThat(r.ignoredFields()).isSubsetOf("quality", "style");
          yield r.hires(FIRST_PASS);
        }
        case A1111Resource.Txt2ImgRequest r -> r.hires().fix(FIRST_PASS, r.samplerName(), r.scheduler(), r.prompt(),
            r.negativePrompt());
        default -> Optional.empty();
      };
    } catch (ApiException expected) {
      assertThat(expected.status()).isEqualTo(400);
      assertThat(expected.body().error().param()).isNotBlank();
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    hires.ifPresent(h -> {
      HiresFix.Resolution r = h.resolve(FIRST_PASS.width(), FIRST_PASS.height());
      assertThat(r.width() % 8).isZero();
      assertThat(r.height() % 8).isZero();
      assertThat(h.secondPass(FIRST_PASS).width()).isEqualTo(r.width());
    });
  }

  /** The first pass the hires fields are mapped for. */
  private static final GenerationSettings FIRST_PASS = GenerationSettings.DEFAULTS.toBuilder().size(64, 64).build();
}
