package io.github.ldm4j.quarkus.deployment;

import io.github.ldm4j.quarkus.runtime.ApiKeyGuard;
import io.github.ldm4j.quarkus.runtime.GenerationService;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.Ldm4jReadinessCheck;
import io.github.ldm4j.quarkus.runtime.Ldm4jRecorder;
import io.github.ldm4j.quarkus.runtime.Ldm4jStartup;
import io.github.ldm4j.quarkus.runtime.TaskRegistry;
import io.github.ldm4j.quarkus.runtime.rest.A1111Resource;
import io.github.ldm4j.quarkus.runtime.rest.A1111ModelsResource;
import io.github.ldm4j.quarkus.runtime.rest.A1111ServerResource;
import io.github.ldm4j.quarkus.runtime.rest.ApiError;
import io.github.ldm4j.quarkus.runtime.rest.ApiExceptionMapper;
import io.github.ldm4j.quarkus.runtime.rest.Generations;
import io.github.ldm4j.quarkus.runtime.rest.HttpLayerErrors;
import io.github.ldm4j.quarkus.runtime.rest.Ldm4jInfoResource;
import io.github.ldm4j.quarkus.runtime.rest.OpenAiImagesResource;
import io.github.ldm4j.quarkus.runtime.rest.UnexpectedExceptionMapper;
import io.github.ldm4j.quarkus.runtime.rest.WebApplicationExceptionMapper;
import io.quarkus.arc.BeanDestroyer;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.AdditionalIndexedClassesBuildItem;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.RunTimeConfigurationDefaultBuildItem;
import io.quarkus.deployment.builditem.ShutdownListenerBuildItem;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** The feature, the beans and the REST API. */
class Ldm4jProcessor {

  static final String FEATURE = "ldm4j";

  /** REST resources, providers and the beans they use, indexed so Quarkus REST and ArC see them. */
  static final List<Class<?>> API_CLASSES = List.of(OpenAiImagesResource.class, Ldm4jInfoResource.class, A1111Resource.class,
      A1111ModelsResource.class, A1111ServerResource.class,
      ApiExceptionMapper.class, Generations.class, GenerationService.class, Ldm4jReadinessCheck.class,
      Ldm4jStartup.class, HttpLayerErrors.class,
      WebApplicationExceptionMapper.class, UnexpectedExceptionMapper.class);

  @BuildStep
  FeatureBuildItem feature() {
    return new FeatureBuildItem(FEATURE);
  }

  /**
   * Indexes the REST classes with their nested request/response records and the error body, so
   * Quarkus REST, ArC and SmallRye OpenAPI (request and response schemas) all see them.
   */
  @BuildStep
  AdditionalIndexedClassesBuildItem indexApi() {
    Stream<Class<?>> all = Stream.concat(Stream.of(ApiError.class, ApiError.Detail.class),
        API_CLASSES.stream().flatMap(c -> Stream.concat(Stream.of(c), Arrays.stream(c.getDeclaredClasses()))));
    return new AdditionalIndexedClassesBuildItem(all.map(Class::getName).distinct().toArray(String[]::new));
  }

  @BuildStep
  AdditionalBeanBuildItem beans() {
    return AdditionalBeanBuildItem.builder().setUnremovable()
        .addBeanClasses(OpenAiImagesResource.class, Ldm4jInfoResource.class, A1111Resource.class, A1111ModelsResource.class,
            A1111ServerResource.class,
            GenerationService.class, Generations.class, Ldm4jReadinessCheck.class, Ldm4jStartup.class,
            HttpLayerErrors.class).build();
  }

  /**
   * Raises Quarkus' default HTTP body limit (10240K) to {@link Ldm4jStartup#HTTP_MAX_BODY_SIZE}, above
   * {@code quarkus.ldm4j.limits.max-request-body-size}'s default, so that ldm4j's limit applies (with
   * its OpenAI 413 body); {@link Ldm4jStartup} fails the startup when ldm4j's limit is the larger.
   */
  @BuildStep
  RunTimeConfigurationDefaultBuildItem httpBodyLimit() {
    return new RunTimeConfigurationDefaultBuildItem(Ldm4jStartup.HTTP_MAX_BODY_SIZE_PROPERTY,
        Ldm4jStartup.HTTP_MAX_BODY_SIZE);
  }

  /**
   * The graceful shutdown of the generations ({@link io.github.ldm4j.quarkus.runtime.Ldm4jShutdownListener}):
   * queued work drains within {@code quarkus.shutdown.timeout}, the rest is answered 503.
   */
  @BuildStep
  @Record(ExecutionTime.RUNTIME_INIT)
  ShutdownListenerBuildItem shutdownListener(Ldm4jRecorder recorder) {
    return new ShutdownListenerBuildItem(recorder.shutdownListener());
  }

  /** The API key check in front of every route, Quarkus' own included ({@link ApiKeyGuard}). */
  @BuildStep
  AdditionalBeanBuildItem apiKeyGuard() {
    return AdditionalBeanBuildItem.builder().setUnremovable().addBeanClasses(ApiKeyGuard.class).build();
  }

  /**
   * The job queue of {@code quarkus.ldm4j.queue.kind=redis}: its bean, {@code GET /ldm4j/workers} and
   * its readiness check (indexed with their nested records, unremovable).
   */
  @BuildStep
  AdditionalBeanBuildItem queueBeans(BuildProducer<AdditionalIndexedClassesBuildItem> index) {
    index.produce(new AdditionalIndexedClassesBuildItem(QUEUE_CLASSES.stream()
        .flatMap(c -> Stream.concat(Stream.of(c), Arrays.stream(c.getDeclaredClasses()))).map(Class::getName)
        .distinct().toArray(String[]::new)));
    return AdditionalBeanBuildItem.builder().setUnremovable().addBeanClasses(QUEUE_CLASSES.toArray(Class<?>[]::new))
        .build();
  }

  /** The queue's beans and resource. */
  static final List<Class<?>> QUEUE_CLASSES = List.of(io.github.ldm4j.quarkus.runtime.Ldm4jQueue.class,
      io.github.ldm4j.quarkus.runtime.rest.Ldm4jWorkersResource.class,
      io.github.ldm4j.quarkus.runtime.Ldm4jQueueReadinessCheck.class);

  /**
   * The OpenAI endpoints beside the images' generation: {@code GET /v1/images/files/{id}} (which owns
   * the image store of {@code response_format: "url"}) and {@code GET /v1/models} (indexed with their
   * nested records, unremovable).
   */
  @BuildStep
  AdditionalBeanBuildItem openAiBeans(BuildProducer<AdditionalIndexedClassesBuildItem> index) {
    index.produce(new AdditionalIndexedClassesBuildItem(OPENAI_CLASSES.stream()
        .flatMap(c -> Stream.concat(Stream.of(c), Arrays.stream(c.getDeclaredClasses()))).map(Class::getName)
        .distinct().toArray(String[]::new)));
    return AdditionalBeanBuildItem.builder().setUnremovable().addBeanClasses(OPENAI_CLASSES.toArray(Class<?>[]::new))
        .build();
  }

  /** The image files and models resources. */
  static final List<Class<?>> OPENAI_CLASSES = List.of(
      io.github.ldm4j.quarkus.runtime.rest.OpenAiImageFilesResource.class,
      io.github.ldm4j.quarkus.runtime.rest.OpenAiModelsResource.class);

  /** The per-task progress registry (beside {@link #beans()} to keep the lists apart). */
  @BuildStep
  AdditionalBeanBuildItem taskBeans() {
    return AdditionalBeanBuildItem.builder().setUnremovable().addBeanClasses(TaskRegistry.class).build();
  }

  /**
   * {@link Ldm4jPipelines}: created at runtime-init, at startup by {@link Ldm4jStartup} when
   * {@code quarkus.ldm4j.open-at-startup} (else on first use), closed at shutdown.
   */
  @BuildStep
  @Record(ExecutionTime.RUNTIME_INIT)
  SyntheticBeanBuildItem pipelines(Ldm4jRecorder recorder) {
    return SyntheticBeanBuildItem.configure(Ldm4jPipelines.class)
        .scope(Singleton.class)
        .unremovable()
        .setRuntimeInit()
        .supplier(recorder.pipelines())
        .destroyer(BeanDestroyer.AutoCloseableDestroyer.class)
        .done();
  }
}
