package io.github.ldm4j.quarkus.deployment;

import io.github.ldm4j.quarkus.runtime.ProgressUpdate;
import io.github.ldm4j.quarkus.runtime.TaskEvent;
import io.github.ldm4j.quarkus.runtime.rest.ApiError;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.nativeimage.JniRuntimeAccessBuildItem;
import io.quarkus.deployment.builditem.nativeimage.NativeImageResourceBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ReflectiveClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.RuntimeInitializedClassBuildItem;
import io.quarkus.deployment.builditem.nativeimage.ServiceProviderBuildItem;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a native image needs: ServiceLoader registrations of ldm4j's SPIs, ONNX Runtime's JNI
 * (classes its native code creates or throws, runtime initialisation of the classes that load the
 * library, the linux-x64 native libraries, plus the CUDA / TensorRT provider libraries when
 * {@code onnxruntime_gpu} is the ONNX Runtime on the class path), the CLIP vocabulary and the JSON
 * records of the REST layer. The items are produced in JVM builds too (they cost nothing there),
 * which lets tests assert them.
 */
class NativeProcessor {

  /** The ServiceLoader SPIs ldm4j looks up. */
  static final List<String> SPIS = List.of("io.github.ldm4j.spi.BackendProvider", "io.github.ldm4j.spi.ModelSourceProvider",
      "io.github.ldm4j.sampler.SamplerProvider");

  /** Classes ONNX Runtime's JNI code constructs, reads or throws (ai.onnxruntime 1.29). */
  static final List<String> ORT_JNI_CLASSES = List.of("ai.onnxruntime.OnnxTensor", "ai.onnxruntime.OnnxSequence",
      "ai.onnxruntime.OnnxMap", "ai.onnxruntime.OnnxSparseTensor", "ai.onnxruntime.OnnxJavaType",
      "ai.onnxruntime.TensorInfo", "ai.onnxruntime.SequenceInfo", "ai.onnxruntime.MapInfo",
      "ai.onnxruntime.NodeInfo", "ai.onnxruntime.OrtException", "ai.onnxruntime.OrtException$OrtErrorCode",
      "ai.onnxruntime.OrtSession$Result", "ai.onnxruntime.OnnxValue", "ai.onnxruntime.OrtProvider",
      "java.lang.String", "java.lang.Boolean");

  /** Classes whose static initialisers load the native library: initialised at run time. */
  static final List<String> ORT_RUNTIME_INIT = List.of("ai.onnxruntime.OnnxRuntime", "ai.onnxruntime.OrtEnvironment",
      "ai.onnxruntime.OnnxTensor", "ai.onnxruntime.OnnxSparseTensor", "ai.onnxruntime.OrtSession",
      "ai.onnxruntime.OrtSession$SessionOptions", "ai.onnxruntime.OrtSession$RunOptions",
      "ai.onnxruntime.OrtTrainingSession", "ai.onnxruntime.OrtUtil");

  /** ONNX Runtime's native libraries of the one supported native target, linux-x64. */
  static final List<String> ORT_NATIVE_RESOURCES = List.of("ai/onnxruntime/native/linux-x64/libonnxruntime.so",
      "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so");

  /**
   * The execution-provider libraries of {@code onnxruntime_gpu} (CUDA, TensorRT and the shared
   * bridge they load), registered only when that artifact is on the build class path.
   */
  static final List<String> ORT_GPU_PROVIDER_RESOURCES = List.of(
      "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_shared.so",
      "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so",
      "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_tensorrt.so");

  /** The CLIP tokenizer's embedded vocabulary and entity table. */
  static final List<String> CLIP_RESOURCES = List.of(
      "io/github/ldm4j/conditioning/clip/bpe_simple_vocab_16e6.txt.gz",
      "io/github/ldm4j/conditioning/clip/internal/html5-entities.txt");

  @BuildStep
  void serviceProviders(BuildProducer<ServiceProviderBuildItem> services) {
    for (String spi : SPIS) {
      services.produce(ServiceProviderBuildItem.allProvidersFromClassPath(spi));
    }
  }

  @BuildStep
  void onnxRuntime(BuildProducer<JniRuntimeAccessBuildItem> jni, BuildProducer<ReflectiveClassBuildItem> reflection,
      BuildProducer<RuntimeInitializedClassBuildItem> runtimeInit, BuildProducer<NativeImageResourceBuildItem> resources) {
    String[] classes = ORT_JNI_CLASSES.toArray(String[]::new);
    jni.produce(new JniRuntimeAccessBuildItem(true, true, true, classes));
    reflection.produce(ReflectiveClassBuildItem.builder(classes).constructors().methods().fields().build());
    ORT_RUNTIME_INIT.forEach(c -> runtimeInit.produce(new RuntimeInitializedClassBuildItem(c)));
    resources.produce(new NativeImageResourceBuildItem(ORT_NATIVE_RESOURCES));
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    List<String> gpu = ORT_GPU_PROVIDER_RESOURCES.stream().filter(r -> loader.getResource(r) != null).toList();
    if (!gpu.isEmpty()) {
      resources.produce(new NativeImageResourceBuildItem(gpu));
    }
  }

  /**
   * The JSON records of the REST layer: the request bodies {@code Generations} binds with its own
   * ObjectMapper (Quarkus REST does not see them, as the endpoints take raw bytes), the responses,
   * the error body and the progress events, registered for reflection so Jackson can bind them in a
   * native image.
   */
  @BuildStep
  ReflectiveClassBuildItem queueJson() {
    return ReflectiveClassBuildItem.builder(io.github.ldm4j.quarkus.runtime.rest.Ldm4jWorkersResource.WorkerList.class,
        io.github.ldm4j.queue.WorkerStatus.class).constructors().methods().fields().build();
  }

  /** See {@link #queueJson()}'s sibling: the REST layer's own records. */
  @BuildStep
  ReflectiveClassBuildItem restJson() {
    Stream<Class<?>> nested = Ldm4jProcessor.API_CLASSES.stream().flatMap(c -> Arrays.stream(c.getDeclaredClasses()));
    Stream<Class<?>> own = Stream.of(ApiError.class, ApiError.Detail.class, TaskEvent.class, TaskEvent.Kind.class,
        ProgressUpdate.class);
    String[] names = Stream.concat(own, nested).filter(c -> c.isRecord() || c.isEnum()).map(Class::getName).distinct()
        .toArray(String[]::new);
    return ReflectiveClassBuildItem.builder(names).constructors().methods().fields().build();
  }

  /** See {@link #restJson()}: the records of {@code GET /v1/models}. */
  @BuildStep
  ReflectiveClassBuildItem openAiJson() {
    String[] names = Ldm4jProcessor.OPENAI_CLASSES.stream().flatMap(c -> Arrays.stream(c.getDeclaredClasses()))
        .filter(c -> c.isRecord() || c.isEnum()).map(Class::getName).distinct().toArray(String[]::new);
    return ReflectiveClassBuildItem.builder(names).constructors().methods().fields().build();
  }

  @BuildStep
  NativeImageResourceBuildItem clipVocabulary() {
    return new NativeImageResourceBuildItem(CLIP_RESOURCES);
  }
}
