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
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import io.github.ldm4j.checkpoint.library.ModelKind;
import io.github.ldm4j.checkpoint.library.ModelSelection;
import io.github.ldm4j.checkpoint.library.NamedLora;
import io.github.ldm4j.conditioning.prompt.ExtraNetworkPrompt;
import io.github.ldm4j.conditioning.prompt.ExtraNetworks;
import io.github.ldm4j.conditioning.prompt.LoraTag;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.Provenance;
import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.quarkus.runtime.PipelineCache;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ProgressListener;
import io.github.ldm4j.quarkus.runtime.GenerationService;
import io.github.ldm4j.quarkus.runtime.Ldm4jConfig;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.quarkus.runtime.Ldm4jQueue;
import io.github.ldm4j.queue.JobQueue;
import io.github.ldm4j.queue.JobSelection;
import io.github.ldm4j.queue.QueueException;
import io.github.ldm4j.quarkus.runtime.TaskRegistry;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.Samplers;
import io.github.ldm4j.samplers.StepSchedulers;
import io.github.ldm4j.spi.NamedServices;
import io.vertx.core.http.HttpServerResponse;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
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
   * Parses a JSON body that must be an object into a tree with the API's strict parsing ({@link
   * #parse}'s rules: 413, UTF-8, no duplicate keys, no trailing data); 400 otherwise.
   */
  public com.fasterxml.jackson.databind.node.ObjectNode parseObject(byte[] body) {
    com.fasterxml.jackson.databind.JsonNode tree = parse(body, com.fasterxml.jackson.databind.JsonNode.class);
    if (!(tree instanceof com.fasterxml.jackson.databind.node.ObjectNode o)) {
      throw ApiException.invalid(null, "expected a JSON object, got " + tree.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    }
    return o;
  }

  /** Binds a tree from {@link #parseObject} into {@code type} with the API's strict binding; 400 naming the field. */
  public static <T> T bind(com.fasterxml.jackson.databind.JsonNode tree, Class<T> type) {
    try {
      return JSON.treeToValue(tree, type);
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

  /**
   * A form field's text bound as a JSON array of {@link LoraEntry} (the {@code loras} field of a
   * multipart request), with the body's rules; empty when absent, 400 naming {@code param}.
   */
  public static List<LoraEntry> loraField(String param, String text) {
    if (text == null) {
      return List.of();
    }
    try {
      LoraEntry[] v = JSON.readValue(text, LoraEntry[].class);
      if (v == null) {
        throw ApiException.invalid(param, "'" + param + "' must be a JSON array of LoRAs, got null");
      }
      return Arrays.asList(v);
    } catch (JsonProcessingException e) {
      ApiException a = bindingError(e, param);
      throw ApiException.invalid(param, "'" + param + "': " + a.getMessage());
    }
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
   * One LoRA of a request's {@code loras} field: {@code {"name": "…", "weight": 0.8}}, optionally
   * {@code te_weight} / {@code unet_weight} for the text encoder and the UNet apart (as {@code
   * <lora:name:te=…:unet=…>}). Bound strictly: {@code name} a string, the weights JSON numbers, no
   * other field (a misspelt weight would silently apply 1).
   *
   * @param name a LoRA name of the library ({@code GET /sdapi/v1/loras})
   * @param weight the multiplier of both networks (default 1)
   * @param teWeight the text encoder's, overriding {@code weight}
   * @param unetWeight the UNet's, overriding {@code weight}
   */
  @JsonDeserialize(using = LoraEntryReader.class)
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record LoraEntry(String name, Double weight, Double teWeight, Double unetWeight) {

    /** As a tag. */
    LoraTag tag() {
      double w = weight == null ? 1 : weight;
      return new LoraTag(name, teWeight != null ? teWeight : w, unetWeight != null ? unetWeight : w);
    }
  }

  /** The strict reader of {@link LoraEntry}. */
  static final class LoraEntryReader extends StdDeserializer<LoraEntry> {
    LoraEntryReader() {
      super(LoraEntry.class);
    }

    @Override
    public LoraEntry deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw JsonMappingException.from(p, "a LoRA must be an object {\"name\": …, \"weight\": …}, got " + p.currentToken());
      }
      String name = null;
      Double[] w = new Double[3];
      List<String> weights = List.of("weight", "te_weight", "unet_weight");
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        if (field.equals("name")) {
          if (v != JsonToken.VALUE_STRING) {
            throw JsonMappingException.wrapWithPath(JsonMappingException.from(p, "'name' must be a string, got " + v),
                LoraEntry.class, field);
          }
          name = p.getText();
        } else if (weights.contains(field)) {
          if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw JsonMappingException.wrapWithPath(JsonMappingException.from(p, "'" + field + "' must be a number, got " + v),
                LoraEntry.class, field);
          }
          double d = p.getDoubleValue();
          if (!Double.isFinite(d)) {
            throw JsonMappingException.wrapWithPath(JsonMappingException.from(p, "'" + field + "' must be finite"),
                LoraEntry.class, field);
          }
          w[weights.indexOf(field)] = d;
        } else {
          throw JsonMappingException.wrapWithPath(JsonMappingException.from(p, "unknown field '" + field
              + "' of a LoRA (known: name, weight, te_weight, unet_weight)"), LoraEntry.class, field);
        }
      }
      if (name == null || name.isBlank()) {
        throw JsonMappingException.from(p, "a LoRA needs a 'name'");
      }
      return new LoraEntry(name, w[0], w[1], w[2]);
    }
  }

  /**
   * What a request runs on.
   *
   * @param use the pipeline (released when the generation ended); empty when the request runs on a
   *     worker ({@code quarkus.ldm4j.queue.kind=redis})
   * @param model the model's name
   * @param prompt the prompt without its extra-network tags: what the tokenizer sees
   * @param provenance what the images' parameters say: the prompts as written, model, VAE and LoRA
   *     hashes (for a worker's run: the prompts only; the worker writes the images' parameters)
   * @param job for a worker's run, the LoRAs and VAE by name for the worker to resolve; empty for a local run
   */
  public record Selected(Optional<Ldm4jPipelines.Use> use, String model, String prompt, Provenance provenance,
      Optional<JobSelection> job) {

    /** A local run's. */
    public Selected(Optional<Ldm4jPipelines.Use> use, String model, String prompt, Provenance provenance) {
      this(use, model, prompt, provenance, Optional.empty());
    }

    /** Releases the pipeline, if any (when the request is refused before it runs). */
    public void release() {
      use.ifPresent(Ldm4jPipelines.Use::close);
    }
  }

  /**
   * Resolves what a request runs on, with the CLI's rules ({@link ExtraNetworks}, {@link
   * ModelSelection}): the model {@code model} names ({@link Ldm4jPipelines#target}; null: the active
   * one), the prompt's {@code <lora:…>} tags taken out and, with the {@code loras} field, looked up
   * in the library, the pipeline of that checkpoint + active VAE + LoRA set (opened on demand,
   * waiting for a load in progress), and the provenance. Errors: 404 (param {@code modelParam}) for
   * an unknown model; 400 for a malformed tag or one in the negative prompt, a LoRA given twice, an
   * unknown LoRA or one without a library (param {@code prompt} or {@code loras}, where it came
   * from), LoRAs on a model folder; 422 when the pipeline cannot be opened; 504 when no room could
   * be made for it within the request timeout.
   */
  public Selected select(String modelParam, String model, String prompt, String negativePrompt, List<LoraEntry> loras) {
    return select(modelParam, model, null, prompt, negativePrompt, loras);
  }

  /**
   * {@link #select(String, String, String, String, List)} with the VAE {@code vae} names (a library
   * VAE, or {@code Automatic} / {@code None} for the checkpoint's own; null: the active one), as
   * A1111's {@code override_settings.sd_vae}; 400 naming {@code override_settings} when unknown.
   */
  public Selected select(String modelParam, String model, String vae, String prompt, String negativePrompt,
      List<LoraEntry> loras) {
    ExtraNetworkPrompt tagged;
    try {
      tagged = ExtraNetworks.parse(prompt);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("prompt", "'prompt': " + e.getMessage());
    }
    try {
      ExtraNetworks.requireNone(negativePrompt);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid("negative_prompt", "'negative_prompt': " + e.getMessage());
    }
    Map<String, String> from = new LinkedHashMap<>(); // LoRA name -> the field it came from
    List<LoraTag> tags = new ArrayList<>();
    for (LoraTag t : tagged.loras()) {
      from.put(t.name(), "prompt");
      tags.add(t);
    }
    for (LoraEntry e : loras == null ? List.<LoraEntry>of() : loras) {
      if (e == null) {
        throw ApiException.invalid("loras", "'loras' must not hold null");
      }
      LoraTag t = e.tag();
      if (from.putIfAbsent(t.name(), "loras") != null) {
        throw ApiException.invalid("loras", "LoRA '" + t.name() + "' is given twice (in the prompt and in 'loras'); give it once");
      }
      tags.add(t);
    }
    if (queue.queue().isPresent()) {
      return remote(modelParam, model, vae, prompt, negativePrompt, tagged, tags, from);
    }
    Ldm4jPipelines.Target target;
    try {
      target = pipelines.target(model);
    } catch (Ldm4jPipelines.UnknownModelException e) {
      throw new ApiException(404, "invalid_request_error", modelParam, "model_not_found", e.getMessage(), null);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(modelParam, "'" + modelParam + "': " + e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "server_error", null, "library_unreadable", "cannot read the model library: " + e.getMessage(), null);
    }
    List<NamedLora> named = new ArrayList<>();
    for (LoraTag t : tags) {
      try {
        named.addAll(ModelSelection.resolveLoras(pipelines.library(), List.of(t),
            "the server has no model library (quarkus.ldm4j.library.models-dir or quarkus.ldm4j.library.lora-dir)"));
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        Optional<java.nio.file.Path> folder = pipelines.library().flatMap(l -> l.folder(ModelKind.LORA));
        if (folder.isPresent()) {
          message = message.replace(folder.get().toString(), "Lora/"); // no server paths in answers
        }
        throw ApiException.invalid(from.get(t.name()), message + " (GET /sdapi/v1/loras lists them)");
      } catch (IOException e) {
        throw new ApiException(500, "server_error", null, "library_unreadable", "cannot read the model library: " + e.getMessage(), null);
      }
    }
    Optional<String> noLoras = named.isEmpty() ? Optional.empty() : Ldm4jPipelines.lorasRefused(target);
    if (noLoras.isPresent()) {
      throw ApiException.invalid(from.get(named.getFirst().name()), noLoras.get());
    }
    Ldm4jPipelines.Use use;
    try {
      Optional<String> v = vae == null ? pipelines.active().vae()
          : vae.equals(A1111ModelsResource.AUTOMATIC_VAE) || vae.equals(A1111ModelsResource.NO_VAE) ? Optional.empty()
          : Optional.of(vae);
      if (vae != null && v.isPresent() && pipelines.libraryEntry(ModelKind.VAE, v.get()).isEmpty()) {
        throw ApiException.invalid("override_settings", "unknown VAE '" + vae + "' (GET /sdapi/v1/sd-vae lists them)");
      }
      use = pipelines.use(target, v, named);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(null, e.getMessage());
    } catch (PipelineCache.LoadException e) {
      throw new ApiException(422, "invalid_request_error", null, "model_unloadable", "cannot open model '" + target.name()
          + "'" + (named.isEmpty() ? "" : " with LoRAs " + from.keySet()) + ": " + e.getMessage(), null);
    } catch (TimeoutException e) {
      throw new ApiException(504, "timeout_error", null, "timeout", e.getMessage(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw shuttingDown("the server is shutting down");
    } catch (IllegalStateException e) {
      throw shuttingDown(e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "server_error", null, "library_unreadable", e.getMessage(), null);
    }
    try {
      return new Selected(Optional.of(use), target.name(), tagged.prompt(),
          use.selection().provenance(prompt, negativePrompt, pipelines.hashes()));
    } catch (IOException | RuntimeException e) {
      use.close();
      throw new ApiException(500, "server_error", null, "hash_failed", "cannot hash the model files: " + e.getMessage(), null);
    }
  }

  /**
   * What a request runs on with the Redis queue: the model by name (the default when none, or an
   * OpenAI model id that names no model here), run by a worker that opened it, with the LoRAs (the
   * prompt's tags and {@code loras}) and the VAE override by name: the worker resolves them in its
   * own library as {@link #select} does here, and one it lacks is a 400 naming it.
   */
  private Selected remote(String modelParam, String model, String vae, String prompt, String negativePrompt,
      ExtraNetworkPrompt tagged, List<LoraTag> tags, Map<String, String> from) {
    String name = model == null || model.isBlank() || (pipelines.generator(model).isEmpty() && Ldm4jPipelines.isOpenAiModelId(model))
        ? pipelines.defaultName() : model;
    JobSelection job = new JobSelection(prompt, negativePrompt == null ? "" : negativePrompt, tags,
        vae == null || vae.isBlank() ? Optional.empty() : Optional.of(vae));
    return new Selected(Optional.empty(), name, tagged.prompt(), new Provenance(prompt, negativePrompt, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty(), Map.of()), Optional.of(job));
  }

  /** The generation limits. */
  public GenerationLimits limits() {
    return pipelines.limits();
  }

  /** The configured defaults. */
  public GenerationSettings defaults() {
    return pipelines.defaults();
  }

  /** A random seed for requests without one ({@link GenerationSettings#randomSeed()}). */
  public static long randomSeed() {
    return GenerationSettings.randomSeed();
  }

  /** 400 unless {@code sampler} is registered. */
  private static void checkSampler(String param, String sampler) {
    if (sampler != null && !Samplers.names().contains(sampler)) {
      throw ApiException.invalid(param, "unknown sampler '" + sampler + "'"
          + NamedServices.didYouMean(sampler, Samplers.names()) + "; known: " + Samplers.names());
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

  /**
   * Runs a request on {@code selected}'s pipeline on the generation pool as task {@code taskId}
   * (null: none), cancelling it when the client of {@code response} disconnects (null: not watched);
   * failures become 400/409/422/429/499/503 (shutting down)/504. Before queueing, a request outside
   * the limits or of a size the model's networks cannot run ({@link Generator#checkSize}) is refused
   * with 400, naming {@code sizeParam} (null: none) for the latter. The pipeline is released when the
   * generation can no longer touch it (which may be after this method returned, on a cancellation).
   */
  public GenerationResult run(Selected selected, GenerationRequest request, TaskId taskId,
      HttpServerResponse response, String sizeParam) {
    Optional<JobQueue> remote = queue.queue();
    if (selected.use().isEmpty()) {
      return runRemote(remote.orElseThrow(), selected, request, taskId, response, sizeParam);
    }
    boolean handedOver = false;
    try {
      Generator generator = selected.use().get().generator();
      checkLimits(generator.limits(), request, sizeParam);
      try {
        generator.checkSize(request);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(sizeParam, e.getMessage());
      }
      Provenance provenance = withTiHashes(selected, request);
      TaskRegistry.Task task = taskId == null ? TaskRegistry.Task.detached() : begin(taskId);
      CancellationToken token = new CancellationToken();
      ClientDisconnect.watch(response, token);
      handedOver = true;
      try {
        return service.generate(generator, request, provenance, ProgressListener.NONE, token, task,
            selected::release);
      } catch (GenerationService.QueueFullException e) {
        throw new ApiException(429, "rate_limit_error", null, "queue_full", e.getMessage(),
            config.limits().retryAfterSeconds());
      } catch (GenerationService.ShuttingDownException e) {
        throw shuttingDown(e.getMessage());
      } catch (GenerationService.GenerationTimeoutException e) {
        throw new ApiException(504, "timeout_error", null, "timeout", e.getMessage(), null);
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // UnsupportedOperationException: the model lacks what the settings need (e.g. CLIP skip 2 without per-layer outputs)
        throw new ApiException(422, "invalid_request_error", null, "unprocessable", e.getMessage(), null);
      } catch (CancellationException e) {
        throw new ApiException(499, "invalid_request_error", null, "cancelled", "cancelled: " + e.getMessage(), null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw shuttingDown("the server is shutting down");
      }
    } finally {
      if (!handedOver) {
        selected.release();
      }
    }
  }

  /**
   * {@code selected}'s provenance with the {@code TI hashes} of the textual-inversion embeddings
   * {@code request}'s prompt and negative prompt name ({@link Generator#embeddingsIn}), as the CLI
   * writes them. A prompt naming an embedding that cannot be used (another width than the model's text
   * encoder, a text encoder whose token table cannot be extended) is a 400 naming the embedding and
   * why, with the embeddings folder written {@code embeddings/} (no server paths in answers).
   */
  private Provenance withTiHashes(Selected selected, GenerationRequest request) {
    List<TextualInversion> used;
    try {
      used = selected.use().orElseThrow().generator().embeddingsIn(request);
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      Optional<java.nio.file.Path> folder = pipelines.library().flatMap(l -> l.folder(ModelKind.EMBEDDING));
      if (folder.isPresent()) {
        message = message.replace(folder.get().toString() + java.io.File.separator, "embeddings/")
            .replace(folder.get().toString(), "embeddings/");
      }
      boolean negative = request.negativePrompt() != null && !request.negativePrompt().isBlank();
      throw ApiException.invalid(negative ? null : "prompt", message); // null: the prompt or the negative prompt
    }
    if (used.isEmpty()) {
      return selected.provenance();
    }
    try {
      return selected.provenance().withTiHashes(selected.use().orElseThrow().embeddings().tiHashes(used, pipelines.hashes()));
    } catch (IOException e) {
      throw new ApiException(500, "server_error", null, "hash_failed", "cannot hash the embedding files: " + e.getMessage(), null);
    }
  }

  /**
   * The server's limits on {@code request} and on its hires second pass: 400, naming {@code sizeParam}
   * (null: none) when the first pass's size is over them.
   */
  private static void checkLimits(GenerationLimits limits, GenerationRequest request, String sizeParam) {
    try {
      limits.check(request.settings());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalid(e.getMessage().startsWith("size ") ? sizeParam : null, e.getMessage());
    }
    if (request instanceof GenerationRequest.TextToImage t && t.hires().isPresent()) {
      try {
        limits.check(t.hires().get().secondPass(request.settings()));
      } catch (IllegalArgumentException e) {
        throw ApiException.invalid(null, "the hires second pass: " + e.getMessage());
      }
    }
  }

  /**
   * Runs {@code selected}'s request on a worker of the Redis queue ({@link GenerationService#generateRemote}):
   * the limits are checked here, the size by the worker; 503 {@code queue_unavailable} while Redis is
   * away, 503 {@code no_worker} when no live worker serves the model, 500 {@code generation_failed} /
   * {@code dead_letter} with the worker's reason.
   */
  private GenerationResult runRemote(JobQueue remote, Selected selected, GenerationRequest request, TaskId taskId,
      HttpServerResponse response, String sizeParam) {
    checkLimits(pipelines.limits(), request, sizeParam);
    TaskRegistry.Task task = taskId == null ? TaskRegistry.Task.detached() : begin(taskId);
    CancellationToken token = new CancellationToken();
    ClientDisconnect.watch(response, token);
    try {
      return service.generateRemote(remote, selected.model(), request,
          selected.job().orElseGet(() -> JobSelection.of(request)), ProgressListener.NONE, token, task);
    } catch (GenerationService.QueueFullException e) {
      throw new ApiException(429, "rate_limit_error", null, "queue_full", e.getMessage(),
          (int) e.retryAfterSeconds().orElse(config.limits().retryAfterSeconds()));
    } catch (QueueException.Unavailable e) {
      throw new ApiException(503, "server_error", null, "queue_unavailable", e.getMessage(), config.limits().retryAfterSeconds());
    } catch (QueueException.NoWorker e) {
      throw new ApiException(503, "server_error", "model", "no_worker", e.getMessage(), config.limits().retryAfterSeconds());
    } catch (QueueException.Failed e) {
      throw switch (e.kind()) {
        case INVALID -> ApiException.invalid(null, e.getMessage());
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
