package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.quarkus.runtime.GenerationService;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.Ldm4jQueue;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.QueueException;
import io.github.ldm4j.quarkus.runtime.TaskRegistry;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.samplers.StepSchedulers;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * What every generation endpoint shares: strict JSON parsing into request records (errors name the
 * field), settings from the configured defaults plus the request's fields, model lookup, and running
 * on the {@link GenerationService} with its failures turned into {@link ApiException}s.
 */
@Singleton
public class Generations {

  /**
   * The one JSON binder of the API (bodies and, through {@link #field}, form fields): as strict as
   * OpenAI's and A1111's own servers — no scalar coercion (a number for a string, a string for a
   * number, an empty string for null, a float for an integer), no trailing data, no duplicate keys,
   * no NaN/Infinity; unknown fields are ignored (clients send OpenAI's other fields).
   */
  private static final ObjectMapper JSON = strictMapper();

  static ObjectMapper strictMapper() {
    ObjectMapper m = JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
        .disable(JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS)
        .disable(JsonReadFeature.ALLOW_LEADING_ZEROS_FOR_NUMBERS)
        .build();
    m.coercionConfigDefaults()
        .setAcceptBlankAsEmpty(false)
        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    for (CoercionInputShape scalar : new CoercionInputShape[] {
        CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
      m.coercionConfigFor(LogicalType.Textual).setCoercion(scalar, CoercionAction.Fail);
    }
    return m;
  }

  private final Ldm4jPipelines pipelines;
  private final GenerationService service;
  private final Ldm4jConfig config;
  private final TaskRegistry tasks;
  private final Ldm4jQueue queue;

  /** With the local queue ({@code quarkus.ldm4j.queue.kind=local}), for use outside CDI. */
  public Generations(Ldm4jPipelines pipelines, GenerationService service, Ldm4jConfig config, TaskRegistry tasks) {
    this(pipelines, service, config, tasks, Ldm4jQueue.local());
  }

  /** Injected. */
  @Inject
  public Generations(Ldm4jPipelines pipelines, GenerationService service, Ldm4jConfig config, TaskRegistry tasks,
      Ldm4jQueue queue) {
    this.pipelines = pipelines;
    this.service = service;
    this.config = config;
    this.tasks = tasks;
    this.queue = queue;
  }

  /**
   * Parses a JSON body into {@code type} with the API's strict binding ({@link #strictMapper}); 413
   * over the body limit, 400 naming the field otherwise (the body must be UTF-8, RFC 8259: a
   * malformed or overlong sequence is refused, not decoded).
   */
  public <T> T parse(byte[] body, Class<T> type) {
    checkBodySize(body.length);
    if (body.length == 0) {
      throw ApiException.invalid(null, "the request body is empty; expected a JSON object");
    }
    String text;
    ByteBuffer bytes = ByteBuffer.wrap(body);
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw ApiException.invalid(null, "the request body is not valid UTF-8: a malformed or overlong sequence at byte "
          + bytes.position());
    }
    try {
      T t = JSON.readValue(text, type);
      if (t == null) {
        throw ApiException.invalid(null, "expected a JSON object, got null");
      }
      return t;
    } catch (JsonProcessingException e) {
      throw bindingError(e, null);
    }
  }

  /**
   * A form field's text bound as the JSON value of {@code type} with the same rules as a body: a
   * number must follow JSON's number grammar ({@code 2}, {@code 0.5}, {@code 1e-3}; not {@code +1},
   * {@code 01}, {@code 0x10}, {@code 7.5d}, {@code NaN}, {@code Infinity}, an empty value); a
   * String type takes the text as is. Null when the field is absent, 400 naming {@code param}.
   */
  public static <T> T field(String param, String text, Class<T> type) {
    if (text == null) {
      return null;
    }
    if (type == String.class) {
      return type.cast(text);
    }
    String kind = type == Integer.class || type == Long.class ? "an integer" : "a number";
    try {
      T value = JSON.readValue(text, type);
      if (value != null) {
        return value;
      }
    } catch (JsonProcessingException e) {
      // refused below
    }
    throw ApiException.invalid(param, "'" + param + "' must be " + kind + " written as a JSON number, got \"" + text + "\"");
  }

  private static ApiException bindingError(JsonProcessingException e, String param) {
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      String field = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(Collectors.joining("."));
      String top = m.getPath().getFirst().getFieldName();
      return ApiException.invalid(top != null ? top : field, "field '" + field + "': " + m.getOriginalMessage());
    }
    if (e instanceof StreamReadException r && r.getMessage() != null && r.getOriginalMessage().startsWith("Duplicate field")) {
      String name = r.getOriginalMessage().replaceAll("^Duplicate field '([^']*)'.*$", "$1");
      return ApiException.invalid(name, r.getOriginalMessage());
    }
    if (e instanceof JsonMappingException m) {
      return ApiException.invalid(param, m.getOriginalMessage());
    }
    return ApiException.invalid(param, "malformed JSON: " + e.getOriginalMessage());
  }

  /** 413 when a body of {@code length} bytes exceeds {@code quarkus.ldm4j.limits.max-request-body-size}. */
  public void checkBodySize(long length) {
    long max = config.limits().maxRequestBodySize();
    if (length > max) {
      throw new ApiException(413, "invalid_request_error", null, "request_too_large",
          "the request body of " + length + " bytes exceeds the limit of " + max + " bytes", null);
    }
  }

  /**
   * A model a request names: its name, the limits it runs under, and its generator when this node
   * opened it (absent on an API node without models, {@code quarkus.ldm4j.queue.local-models=false},
   * and for models only workers serve).
   *
   * @param name the model's name
   * @param limits the limits requests to it must respect
   * @param generator this node's generator of it
   */
  public record Model(String name, io.github.ldm4j.generate.GenerationLimits limits, java.util.Optional<Generator> generator) {
    /** Validates. */
    public Model {
      java.util.Objects.requireNonNull(name, "name");
      java.util.Objects.requireNonNull(limits, "limits");
      java.util.Objects.requireNonNull(generator, "generator");
    }
  }

  /**
   * The named model: the default when {@code name} is null, blank or an OpenAI model id ({@link
   * #isOpenAiModelId}) that names no configured model; 404 if unknown. With {@code
   * quarkus.ldm4j.queue.kind=redis} a name this node did not open is passed on to the workers (a
   * model no live worker serves is answered 503 then).
   */
  public Model model(String name) {
    java.util.Optional<JobQueue> remote = queue.queue();
    String chosen = name == null || name.isBlank()
        || (pipelines.generator(name).isEmpty() && isOpenAiModelId(name)) ? pipelines.defaultName() : name;
    java.util.Optional<Generator> local = pipelines.generator(chosen);
    if (local.isEmpty() && remote.isEmpty()) {
      throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
          "unknown model '" + name + "'; known: " + pipelines.names(), null);
    }
    return new Model(chosen, local.map(Generator::limits).orElseGet(() -> Ldm4jPipelines.limits(config)), local);
  }

  /**
   * Whether {@code name} is one of OpenAI's own image model ids ({@code dall-e-2}, {@code dall-e-3},
   * {@code gpt-image-1}, …), which OpenAI clients and tools send by default: such a request is served
   * by the default model unless a model of that exact name is configured.
   */
  static boolean isOpenAiModelId(String name) {
    return name.startsWith("dall-e-") || name.startsWith("gpt-image-");
  }

  /** The configured defaults. */
  public GenerationSettings defaults() {
    return pipelines.defaults();
  }

  /** A random non-negative 32-bit seed (for requests without one). */
  public static long randomSeed() {
    return ThreadLocalRandom.current().nextLong(1L << 32);
  }

  /** 400 unless {@code sampler} is registered. */
  private static void checkSampler(String param, String sampler) {
    if (sampler != null && !Samplers.names().contains(sampler)) {
      throw ApiException.invalid(param, "unknown sampler '" + sampler + "'; known: " + Samplers.names());
    }
  }

  /** 400 unless {@code scheduler} is registered. */
  private static void checkScheduler(String param, String scheduler) {
    if (scheduler != null && !StepSchedulers.names().contains(scheduler)) {
      throw ApiException.invalid(param,
          "unknown scheduler '" + scheduler + "'; known: " + StepSchedulers.names());
    }
  }

  /**
   * A request's generation fields, each null where the request leaves it to the configured default.
   *
   * @param width image width in pixels
   * @param height image height in pixels
   * @param n images
   * @param steps sampler steps
   * @param sampler sampler name
   * @param scheduler step schedule name
   * @param guidanceScale classifier-free guidance scale
   * @param seed the first image's seed (already drawn when the request named none)
   */
  public record SettingsFields(int width, int height, int n, Integer steps, String sampler, String scheduler,
      Double guidanceScale, long seed) {}

  /**
   * The request's prompt under the front ends' rule ({@link GenerationRequest#requireUserPrompt}, the
   * CLI's too): 400 naming {@code param} when it is absent or blank.
   */
  public static String prompt(String param, String prompt) {
    try {
      return GenerationRequest.requireUserPrompt(prompt);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(param, "'" + param + "': " + e.getMessage());
    }
  }

  /**
   * The configured defaults overridden by {@code fields}; 400 naming the field for steps below 1,
   * an unknown sampler ({@code samplerParam} is the request's name for it) or scheduler, a guidance
   * scale outside {@link GenerationSettings#checkGuidanceScale} ({@code guidanceParam}), and 400
   * for any other value the settings refuse.
   */
  public GenerationSettings settings(String samplerParam, String guidanceParam, SettingsFields fields) {
    if (fields.steps() != null && fields.steps() < 1) {
      throw ApiException.invalid("steps", "'steps' must be >= 1, got " + fields.steps());
    }
    if (fields.guidanceScale() != null) {
      try {
        GenerationSettings.checkGuidanceScale(fields.guidanceScale());
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(guidanceParam, "'" + guidanceParam + "': " + e.getMessage());
      }
    }
    checkSampler(samplerParam, fields.sampler());
    checkScheduler("scheduler", fields.scheduler());
    GenerationSettings d = defaults();
    try {
      GenerationSettings.Builder b = d.toBuilder().size(fields.width(), fields.height()).batchSize(fields.n())
          .seed(fields.seed());
      if (fields.steps() != null) {
        b.steps(fields.steps());
      }
      if (fields.sampler() != null || fields.scheduler() != null) {
        b.sampler(fields.sampler() != null ? fields.sampler() : d.sampler().orElse(null),
            fields.scheduler() != null ? fields.scheduler() : d.scheduler().orElse(null));
      }
      if (fields.guidanceScale() != null) {
        b.guidance(fields.guidanceScale());
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(null, e.getMessage());
    }
  }

  /**
   * Runs {@code body}, the validation and run of a request naming {@code taskId} (null: none). When it
   * is refused with an {@link ApiException} before its task began, the subscribers already waiting
   * for that id get a {@code failed} event at once instead of waiting for the request timeout.
   */
  public <T> T refusing(TaskId taskId, java.util.function.Supplier<T> body) {
    try {
      return body.get();
    } catch (ApiException e) {
      if (taskId != null) {
        tasks.rejected(taskId.id(), e.getMessage());
      }
      throw e;
    }
  }

  /** Runs a request without task id or disconnect watch; see {@link #run(Model, GenerationRequest, TaskId, HttpServerResponse)}. */
  public GenerationResult run(Model model, GenerationRequest request) {
    return run(model, request, null, null);
  }

  /**
   * Runs a request as {@link #run(Model, GenerationRequest, TaskId, HttpServerResponse, String)}
   * with no request field named for a size the model cannot run.
   */
  public GenerationResult run(Model model, GenerationRequest request, TaskId taskId,
      HttpServerResponse response) {
    return run(model, request, taskId, response, null);
  }

  /**
   * Runs a request on the generation pool as task {@code taskId} (null: none), cancelling it when
   * the client of {@code response} disconnects (null: not watched); failures become
   * 400/409/422/429/499/503 (shutting down)/504. Before queueing, a request outside the limits or of a size the model's
   * networks cannot run ({@link Generator#checkSize}) is refused with 400, naming {@code sizeParam}
   * (null: none) for the latter. With {@code quarkus.ldm4j.queue.kind=redis} the request runs on a
   * worker ({@link GenerationService#generateRemote}; the size is checked there when this node did not
   * open the model), with 503 {@code queue_unavailable} while Redis is away, 503 {@code no_worker}
   * when no live worker serves the model, and 500 {@code generation_failed} / {@code dead_letter}
   * with the worker's reason.
   */
  public GenerationResult run(Model model, GenerationRequest request, TaskId taskId,
      HttpServerResponse response, String sizeParam) {
    try {
      model.limits().check(request.settings());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(null, e.getMessage());
    }
    try {
      model.generator().ifPresent(g -> g.checkSize(request));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(sizeParam, e.getMessage());
    }
    TaskRegistry.Task task = taskId == null ? TaskRegistry.Task.detached() : begin(taskId);
    CancellationToken token = new CancellationToken();
    ClientDisconnect.watch(response, token);
    try {
      java.util.Optional<JobQueue> remote = queue.queue();
      if (remote.isPresent()) {
        return service.generateRemote(remote.get(), model.name(), request, ProgressListener.NONE, token, task);
      }
      return service.generate(model.generator().orElseThrow(), request, ProgressListener.NONE, token, task);
    } catch (GenerationService.QueueFullException e) {
      throw new ApiException(429, "rate_limit_error", null, "queue_full", e.getMessage(),
          (int) e.retryAfterSeconds().orElse(config.limits().retryAfterSeconds()));
    } catch (QueueException.Unavailable e) {
      throw new ApiException(503, "server_error", null, "queue_unavailable", e.getMessage(),
          config.limits().retryAfterSeconds());
    } catch (QueueException.NoWorker e) {
      throw new ApiException(503, "server_error", "model", "no_worker", e.getMessage(),
          config.limits().retryAfterSeconds());
    } catch (QueueException.Failed e) {
      throw switch (e.kind()) {
        case INVALID -> ApiException.invalid(sizeParam, e.getMessage());
        case UNPROCESSABLE -> new ApiException(422, "invalid_request_error", null, "unprocessable", e.getMessage(), null);
        case FAILED -> new ApiException(500, "server_error", null, "generation_failed", e.getMessage(), null);
        case DEAD_LETTER -> new ApiException(500, "server_error", null, "dead_letter", e.getMessage(), null);
      };
    } catch (GenerationService.ShuttingDownException e) {
      throw shuttingDown(e.getMessage());
    } catch (GenerationService.GenerationTimeoutException e) {
      throw new ApiException(504, "timeout_error", null, "timeout", e.getMessage(), null);
    } catch (IllegalArgumentException e) {
      throw new ApiException(422, "invalid_request_error", null, "unprocessable", e.getMessage(), null);
    } catch (CancellationException e) {
      throw new ApiException(499, "invalid_request_error", null, "cancelled", "cancelled: " + e.getMessage(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw shuttingDown("the server is shutting down");
    }
  }

  /**
   * 503 {@code server_error}, code {@value #SHUTTING_DOWN}, with {@code Retry-After} ({@code
   * limits.retry-after-seconds}): another instance, or this one restarted, may serve it.
   */
  private ApiException shuttingDown(String message) {
    return new ApiException(503, "server_error", null, SHUTTING_DOWN, message, config.limits().retryAfterSeconds());
  }

  /** The error code of a request refused or cancelled because the server is shutting down. */
  public static final String SHUTTING_DOWN = "shutting_down";

  /**
   * A client-chosen task id and the request field that carried it.
   *
   * @param param the field name ({@code task_id}, {@code force_task_id})
   * @param id the id
   */
  public record TaskId(String param, String id) {}

  /**
   * The task id of a request: null when {@code id} is null, 400 naming {@code param} when it does
   * not match {@link TaskRegistry#ID}.
   */
  public static TaskId taskId(String param, String id) {
    if (id == null) {
      return null;
    }
    try {
      return new TaskId(param, TaskRegistry.checkId(id));
    } catch (TaskRegistry.InvalidTaskIdException e) {
      throw ApiException.invalid(param, "'" + param + "': " + e.getMessage());
    }
  }

  private TaskRegistry.Task begin(TaskId taskId) {
    try {
      return tasks.begin(taskId.id());
    } catch (TaskRegistry.TaskConflictException e) {
      throw new ApiException(409, "invalid_request_error", taskId.param(), "task_in_flight", e.getMessage(), null);
    }
  }

  /** The generation service (queue depth, progress). */
  public GenerationService service() {
    return service;
  }
}
