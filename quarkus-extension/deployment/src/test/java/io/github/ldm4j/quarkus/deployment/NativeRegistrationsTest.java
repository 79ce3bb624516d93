package io.github.ldm4j.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.builder.BuildContext;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.nativeimage.JniRuntimeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.NativeImageResourceBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.RuntimeInitializedClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ServiceProviderBuildItem;
import io.quarkus.test.QuarkusUnitTest;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The build items a native image depends on, captured by an extra build step (the build runs in
 * another class loader, so the captured names travel through system properties).
 */
class NativeRegistrationsTest {

  private static final String P = "ldm4j.test.captured.";

  @RegisterExtension
  static final QuarkusUnitTest APP = new QuarkusUnitTest()
      .withApplicationRoot(jar -> jar.addClass(TestModels.class))
      .overrideConfigKey("quarkus.ldm4j.model.path", TestModels.shapes128())
      .addBuildChainCustomizer(chain -> chain.addBuildStep(NativeRegistrationsTest::capture)
          .consumes(ServiceProviderBuildItem.class)
          .consumes(JniRuntimeAccessBuildItem.class)
          .consumes(ReflectiveClassBuildItem.class)
          .consumes(RuntimeInitializedClassBuildItem.class)
          .consumes(NativeImageResourceBuildItem.class)
          .produces(FeatureBuildItem.class)
          .build());

  private static void capture(BuildContext ctx) {
    put("services", ctx.consumeMulti(ServiceProviderBuildItem.class).stream()
        .flatMap(s -> s.providers().stream().map(p -> s.serviceDescriptorFile().substring("META-INF/services/".length()) + "=" + p)));
    put("jni", ctx.consumeMulti(JniRuntimeAccessBuildItem.class).stream().flatMap(j -> j.getClassNames().stream()));
    put("reflection", ctx.consumeMulti(ReflectiveClassBuildItem.class).stream().flatMap(r -> r.getClassNames().stream()));
    put("runtimeInit", ctx.consumeMulti(RuntimeInitializedClassBuildItem.class).stream()
        .map(RuntimeInitializedClassBuildItem::getClassName));
    put("resources", ctx.consumeMulti(NativeImageResourceBuildItem.class).stream().flatMap(r -> r.getResources().stream()));
    ctx.produce(new FeatureBuildItem("ldm4j-capture"));
  }

  private static void put(String key, Stream<String> values) {
    System.setProperty(P + key, values.collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining(",")));
  }

  private static List<String> get(String key) {
    return List.of(System.getProperty(P + key, "").split(","));
  }

  @Test
  void serviceLoaderProvidersAreRegistered() {
    assertThat(get("services")).contains(
        "io.github.ldm4j.spi.BackendProvider=io.github.ldm4j.backend.onnx.OnnxBackendProvider",
        "io.github.ldm4j.sampler.SamplerProvider=io.github.ldm4j.samplers.kdiffusion.Euler$Provider",
        "io.github.ldm4j.sampler.SamplerProvider=io.github.ldm4j.samplers.compvis.Ddim$Provider");
    assertThat(get("services").stream().filter(s -> s.startsWith("io.github.ldm4j.sampler.SamplerProvider="))).hasSize(18);
  }

  @Test
  void onnxRuntimeJniAndReflection() {
    assertThat(get("jni")).contains("ai.onnxruntime.OnnxTensor", "ai.onnxruntime.TensorInfo",
        "ai.onnxruntime.NodeInfo", "ai.onnxruntime.OrtException", "ai.onnxruntime.OrtSession$Result");
    assertThat(get("reflection")).contains("ai.onnxruntime.OnnxTensor", "ai.onnxruntime.OrtException");
    assertThat(get("runtimeInit")).contains("ai.onnxruntime.OnnxRuntime", "ai.onnxruntime.OrtEnvironment");
  }

  @Test
  void restJsonRecordsAreRegisteredForReflection() {
    assertThat(get("reflection")).contains(
        "io.github.ldm4j.quarkus.runtime.rest.OpenAiImagesResource$ImagesRequest",
        "io.github.ldm4j.quarkus.runtime.rest.OpenAiImagesResource$ImagesResponse",
        "io.github.ldm4j.quarkus.runtime.rest.A1111Resource$Txt2ImgRequest",
        "io.github.ldm4j.quarkus.runtime.rest.A1111Resource$Img2ImgRequest",
        "io.github.ldm4j.quarkus.runtime.rest.ApiError", "io.github.ldm4j.quarkus.runtime.rest.ApiError$Detail",
        "io.github.ldm4j.quarkus.runtime.TaskEvent", "io.github.ldm4j.quarkus.runtime.ProgressUpdate");
  }

  @Test
  void nativeResourcesAreLinuxX64OnlyPlusTheClipVocabulary() {
    List<String> ort = get("resources").stream().filter(r -> r.startsWith("ai/onnxruntime/")).toList();
    assertThat(ort).containsExactlyInAnyOrder("ai/onnxruntime/native/linux-x64/libonnxruntime.so",
        "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so");
    assertThat(get("resources")).contains("io/github/ldm4j/conditioning/clip/bpe_simple_vocab_16e6.txt.gz");
    // every resource registered by ldm4j exists on the class path
    for (String r : get("resources").stream().filter(r -> r.startsWith("ai/onnxruntime/") || r.startsWith("io/github/ldm4j/")).toList()) {
      assertThat(getClass().getClassLoader().getResource(r)).as(r).isNotNull();
    }
  }
}
