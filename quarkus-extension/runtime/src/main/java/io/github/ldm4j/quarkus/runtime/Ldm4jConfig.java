package io.github.ldm4j.quarkus.runtime;

import io.github.ldm4j.generate.GenerationSettings;
import io.quarkus.runtime.annotations.ConfigPhase;
import io.quarkus.runtime.annotations.ConfigRoot;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** ldm4j configuration, under {@code quarkus.ldm4j}. */
@ConfigMapping(prefix = "quarkus.ldm4j")
@ConfigRoot(phase = ConfigPhase.RUN_TIME)
public interface Ldm4jConfig {

  /** The default model ({@code quarkus.ldm4j.model.*}). */
  DefaultModel model();

  /**
   * The backend that opens the models: {@code onnx} (ONNX Runtime) or another registered
   * {@code BackendProvider} name such as {@code openvino}.
   */
  @WithDefault("onnx")
  String backend();

  /** Device / execution provider, e.g. {@code cpu}, {@code cuda:0}, {@code tensorrt:0}. */
  @WithDefault("cpu")
  String device();

  /**
   * Whether the models are opened at startup (an invalid model then fails the startup). When false
   * they are opened on first use of the {@code Ldm4jPipelines} bean (failing then, with the same
   * message), and the readiness check reports DOWN until that happened.
   */
  @WithDefault("true")
  boolean openAtStartup();

  /**
   * Whether SIGTERM and SIGINT stop the application in order (Quarkus' graceful shutdown: drain,
   * answer the rest 503, close the models) before the JVM runs its shutdown hooks. ONNX Runtime
   * registers a JVM shutdown hook that frees its environment; run concurrently with a generation
   * still draining, it crashes the process. Installed in normal (production) launch mode only; a
   * second signal halts at once. Set false when the application handles these signals itself.
   */
  @WithDefault("true")
  boolean stopOnSignal();

  /**
   * The precision of the extension's own checkpoint conversions — the default model's and a named
   * model's when their path is a checkpoint file, the library's checkpoints, and their LoRA sets:
   * {@code auto} (fp16 when the model's UNet is placed on a GPU — {@code onnx} on {@code cuda},
   * {@code tensorrt}, {@code directml} or {@code coreml}, {@code openvino} on a {@code GPU} — else
   * fp32; the CLI's {@code --precision auto} too; library checkpoints follow the default model's
   * placement), {@code fp32}, {@code fp16}, {@code int8} (the UNet's conv and linear weights int8
   * per output channel, dequantized in the graph) or {@code int8-linear} (only its linear weights;
   * convolutions fp32); with an int8 mode a LoRA set is merged into the checkpoint before quantizing:
   * a converted folder per set instead of a merge at load time. Each precision is its own
   * cached folder. Model folders are opened as they are.
   */
  @WithDefault("auto")
  io.github.ldm4j.export.folder.PrecisionChoice precision();

  /** Threads inside one operator (intra-op); 0 lets the backend decide. */
  @WithDefault("0")
  int threads();

  /** Whether a component the device cannot run may fall back to the CPU. */
  @WithDefault("false")
  boolean allowCpuFallback();

  /**
   * Threads running independent operators at once (ONNX Runtime; &gt; 1 switches to its parallel
   * executor, which rarely helps a UNet). Absent: {@code BackendOptions.DEFAULTS} (sequential).
   */
  Optional<Integer> interOpThreads();

  /**
   * ONNX Runtime graph optimisation level: {@code disabled}, {@code basic}, {@code extended} or
   * {@code all}; lower levels open sooner and run slower ({@code extended}: 3× sooner with less memory,
   * a UNet call 1–3 % slower, a batch within one 8-bit level of single runs instead of identical).
   * Absent: {@code BackendOptions.DEFAULTS} ({@code all}).
   */
  Optional<io.github.ldm4j.spi.GraphOptimization> optimization();

  /**
   * Folder where optimised graphs (ONNX Runtime) or compiled blobs (OpenVINO) are kept, keyed by
   * network file, level and device, so later starts skip the optimisation; costs about the weights'
   * size on disk. Absent: nothing kept.
   */
  Optional<Path> modelCache();

  /**
   * ONNX Runtime's CPU memory arena (freed buffers kept for reuse: faster allocation, a higher
   * resident size). Absent: {@code BackendOptions.DEFAULTS} (on).
   */
  Optional<Boolean> memoryArena();

  /**
   * ONNX Runtime's memory-pattern planning from the previous run of the same shapes. Absent: {@code
   * BackendOptions.DEFAULTS} (off: on, it raised SD v1.5's peak memory with no measurable gain).
   */
  Optional<Boolean> memoryPattern();

  /** Further models by name, selected with the request's {@code model} field ({@code quarkus.ldm4j.models."name".*}). */
  Map<String, NamedModel> models();

  /** The model library: checkpoints, VAEs, LoRAs and embeddings selected by name ({@code quarkus.ldm4j.library.*}). */
  Library library();

  /** The pipelines opened on demand: library checkpoints and LoRA sets ({@code quarkus.ldm4j.cache.*}). */
  Cache cache();

  /** Generation defaults for fields a request leaves out. */
  Defaults defaults();

  /** Upper bounds enforced before any work is done. */
  Limits limits();

  /** Per-task progress streams ({@code GET /ldm4j/progress/{taskId}}). */
  Tasks tasks();

  /** Where generations run: in this process ({@code local}) or on workers behind Redis ({@code redis}). */
  Queue queue();

  /** This node as a worker of the Redis queue. */
  Worker worker();

  /**
   * The OpenAI Images API's URLs ({@code response_format: "url"}) and variations
   * ({@code quarkus.ldm4j.images.*}).
   */
  Images images();

  /**
   * The images of {@code response_format: "url"}, served at {@code GET /v1/images/files/{id}.png}
   * without the API key (the unguessable id is the capability, as OpenAI's pre-signed URLs), and the
   * default of {@code POST /v1/images/variations}. See {@link ImageStore}.
   */
  interface Images {
    /** How long an image's URL answers; then the image is deleted. */
    @WithDefault("1H")
    Duration urlTtl();

    /**
     * The URL clients reach this server at, replacing {@code scheme://host[:port]} and the root path
     * in the images' URLs, e.g. {@code https://images.example.com/ldm4j} (http or https, no query or
     * fragment). When absent the URLs are built from the request: its scheme and {@code Host} header,
     * or the {@code Forwarded} / {@code X-Forwarded-*} headers when Quarkus' proxy handling is on
     * ({@code quarkus.http.proxy.proxy-address-forwarding} and friends); a {@code Host} that is not
     * {@code host[:port]} is refused with 400.
     */
    Optional<String> publicBaseUrl();

    /**
     * The folder the store makes its own {@code ldm4j-images-*} folder in (deleted with the images
     * when the application stops); the system temporary directory when absent.
     */
    Optional<Path> dir();

    /** Images kept at once; when storing a response would exceed it, the oldest images go first. */
    @WithDefault("1000")
    int maxFiles();

    /** Their total size, e.g. {@code 1G}; when storing a response would exceed it, the oldest images go first. */
    @WithDefault("1G")
    io.quarkus.runtime.configuration.MemorySize maxSize();

    /**
     * The img2img strength of {@code POST /v1/images/variations} when the request gives none, in
     * (0, 1]: how far a variation departs from the image.
     */
    @WithDefault("0.6")
    double variationStrength();
  }

  /** This node as a worker of the Redis queue ({@code quarkus.ldm4j.queue.kind=redis}). */
  interface Worker {
    /**
     * Whether this node also consumes its models' jobs from the Redis queue, as {@code ldm4j worker}
     * does (its models are the opened ones, by name; device {@code quarkus.ldm4j.device}).
     */
    @WithDefault("false")
    boolean enabled();
  }

  /**
   * API key; when set every ldm4j endpoint ({@code /v1/}, {@code /sdapi/}, {@code /ldm4j/}) and
   * every {@code /q/} endpoint but health (metrics, OpenAPI, Swagger UI) — but the image URLs {@code
   * /v1/images/files/…}, whose unguessable id is the capability — requires {@code
   * Authorization: Bearer <key>} (OpenAI clients send it) and answers 401 otherwise; see {@link
   * ApiKeyGuard}. At most one of this and {@link #apiKeyFile()}.
   */
  Optional<String> apiKey();

  /**
   * A file holding the API key (its content, surrounding whitespace stripped), read once at startup
   * — keeps the key off command lines and out of the configuration; a missing, unreadable or empty
   * file fails the startup naming it. At most one of this and {@link #apiKey()}.
   */
  Optional<java.nio.file.Path> apiKeyFile();

  /**
   * AUTOMATIC1111's {@code --api-auth}: {@code user:password} credentials, comma-separated for several
   * ({@code alice:secret1,bob:secret2}); when set the endpoints the API key guards ({@link
   * ApiKeyGuard}) also take {@code Authorization: Basic <base64 user:password>} with one of them, as
   * A1111 clients send it (beside the API key when both are set). A password may hold ':' but not
   * ','. Never logged; {@code GET /sdapi/v1/cmd-flags} says only whether it is set. Unset by default
   * (no Basic credentials are accepted).
   */
  Optional<String> apiAuth();

  /** The default model. */
  interface DefaultModel {
    /**
     * Model folder in the diffusers / optimum ONNX layout, or a single-file SD 1.x / 2.x checkpoint
     * ({@code .safetensors}, {@code .ckpt}; converted once into a cached folder under the ldm4j
     * home, with the {@code .yaml} beside it if any, at {@code quarkus.ldm4j.precision}). Required to open the models: when it is
     * absent, opening them (at startup, unless {@code quarkus.ldm4j.open-at-startup} is false) fails
     * naming this property. The extension has no built-in model; the ldm4j app ({@code ./ldm4j
     * serve}) sets this property to its embedded demo model when no {@code --model} is given.
     */
    Optional<Path> path();

    /** The default of {@link #name()}, also the model name of {@code ldm4j worker}. */
    String DEFAULT_NAME = "default";

    /** The name the default model is listed under and selected by. */
    @WithDefault(DEFAULT_NAME)
    String name();

    /**
     * Where individual networks run, overriding the backend and device: component ({@code
     * text_encoder}, {@code unet}, {@code vae_decoder}, {@code vae_encoder}) → {@code
     * BACKEND[:DEVICE]}, e.g. {@code quarkus.ldm4j.model.placement.unet=onnx:cuda:0} with {@code
     * quarkus.ldm4j.model.placement.text_encoder=openvino:CPU}. A missing device is the model's
     * device. Empty (the default): every network on the model's backend and device.
     */
    Map<String, String> placement();
  }

  /** A further model. */
  interface NamedModel {
    /** Model folder in the diffusers / optimum ONNX layout, or a single-file checkpoint (as {@code quarkus.ldm4j.model.path}). */
    Path path();

    /** Backend for this model; the global {@code quarkus.ldm4j.backend} when absent. */
    Optional<String> backend();

    /** Device for this model; the global {@code quarkus.ldm4j.device} when absent. */
    Optional<String> device();

    /**
     * Where individual networks run, overriding the backend and device: component ({@code
     * text_encoder}, {@code unet}, {@code vae_decoder}, {@code vae_encoder}) → {@code
     * BACKEND[:DEVICE]}, e.g. {@code quarkus.ldm4j.models."name".placement.unet=onnx:cuda:0} with {@code
     * quarkus.ldm4j.models."name".placement.text_encoder=openvino:CPU}. A missing device is the model's
     * device. Empty (the default): every network on the model's backend and device.
     */
    Map<String, String> placement();
  }

  /**
   * A model library laid out as AUTOMATIC1111's {@code models/} folder. Requests select checkpoints
   * by name (OpenAI {@code model}, A1111 {@code sd_model_checkpoint}) and LoRAs by name ({@code
   * <lora:NAME:W>} in the prompt, the {@code loras} field); {@code GET /sdapi/v1/sd-models}, {@code
   * sd-vae}, {@code loras} and {@code embeddings} list it. Without any folder there is no library:
   * LoRA requests are refused with 400.
   */
  interface Library {
    /**
     * The models directory: checkpoints in its {@code Stable-diffusion/}, VAEs in {@code VAE/}, LoRAs
     * in {@code Lora/}, embeddings in {@code embeddings/} (each replaceable below).
     */
    Optional<Path> modelsDir();

    /** The checkpoint folder ({@code .safetensors}, {@code .ckpt}); default {@code MODELS_DIR/Stable-diffusion}. */
    Optional<Path> checkpointsDir();

    /** The VAE folder; default {@code MODELS_DIR/VAE}. */
    Optional<Path> vaeDir();

    /** The LoRA folder; default {@code MODELS_DIR/Lora}. */
    Optional<Path> loraDir();

    /** The textual-inversion embeddings folder; default {@code MODELS_DIR/embeddings}. */
    Optional<Path> embeddingsDir();
  }

  /**
   * Bounds of the pipelines opened on demand — a library checkpoint, or any checkpoint with a LoRA set
   * or a separate VAE (each combination is its own pipeline) — kept in a least-recently-used cache.
   * The configured models ({@code quarkus.ldm4j.model}, {@code quarkus.ldm4j.models}) stay open and
   * do not count. A load that would exceed a bound first closes the least recently used idle
   * pipelines; when every cached pipeline is in use, it waits for one to be released (at most
   * {@code limits.request-timeout}). One pipeline is always allowed, whatever its size.
   */
  interface Cache {
    /** Pipelines kept open at once. */
    @WithDefault("2")
    int maxPipelines();

    /**
     * Total size of the pipelines kept open (their networks' weights, as the converted folder holds
     * them), e.g. {@code 8G}; no bound when absent.
     */
    Optional<io.quarkus.runtime.configuration.MemorySize> maxSize();
  }

  /** Generation defaults; their own defaults are {@link GenerationSettings}' {@code DEFAULT_*} constants. */
  interface Defaults {
    /** Sampler name (see {@code GET /ldm4j/samplers}); the model's own scheduler when absent. */
    Optional<String> sampler();

    /** Step schedule name ({@code normal}, {@code karras}, …); the model's own when absent. */
    Optional<String> scheduler();

    /** Sampler steps. */
    @WithDefault(GenerationSettings.DEFAULT_STEPS)
    int steps();

    /** Classifier-free guidance scale. */
    @WithDefault(GenerationSettings.DEFAULT_GUIDANCE_SCALE)
    double guidanceScale();

    /**
     * CFG cut-off σ: guided steps at a σ below it skip the unconditional pass (about half the UNet
     * work of such a step; AUTOMATIC1111's {@code s_min_uncond} on every step); 0 = off.
     */
    @WithDefault(GenerationSettings.DEFAULT_GUIDANCE_CUTOFF_SIGMA)
    double guidanceCutoffSigma();

    /** Image width in pixels (a multiple of 8). */
    @WithDefault(GenerationSettings.DEFAULT_WIDTH)
    int width();

    /** Image height in pixels (a multiple of 8). */
    @WithDefault(GenerationSettings.DEFAULT_HEIGHT)
    int height();
  }

  /** Limits. */
  interface Limits {
    /** Largest image width in pixels. */
    @WithDefault("1024")
    int maxWidth();

    /** Largest image height in pixels. */
    @WithDefault("1024")
    int maxHeight();

    /** Largest width × height × images of one request. */
    @WithDefault("4194304")
    long maxPixels();

    /** Largest step count. */
    @WithDefault("150")
    int maxSteps();

    /** Largest number of images per request ({@code n}). */
    @WithDefault("4")
    int maxImages();

    /** Largest request body in bytes (uploads included); larger bodies get 413. */
    @WithDefault("16777216")
    long maxRequestBodySize();

    /** Generations that may wait for a free slot; a request beyond it gets 429 with Retry-After. */
    @WithDefault("16")
    int queueLength();

    /** Generations running at once. */
    @WithDefault("1")
    int concurrentGenerations();

    /** Time a request may take, waiting included; after it the generation is cancelled and 504 answered. */
    @WithDefault("5M")
    Duration requestTimeout();

    /** Seconds sent in the Retry-After header of a 429 (queue full) and a 503 (shutting down). */
    @WithDefault("5")
    int retryAfterSeconds();
  }

  /**
   * Per-task progress streams. A subscriber may connect before its request arrives (it waits at
   * most {@code limits.request-timeout}); finished tasks are kept for late subscribers.
   */
  interface Tasks {
    /** Finished tasks whose events are kept for late subscribers (the oldest go first). */
    @WithDefault("256")
    int retained();

    /** How long a finished task's events are kept. */
    @WithDefault("10M")
    Duration retention();

    /** Task ids subscribers may wait for before their request arrives; beyond it 429. */
    @WithDefault("64")
    int maxPending();

    /** Open per-task progress streams; beyond it 429. */
    @WithDefault("256")
    int maxSubscribers();
  }

  /** Where generations run. */
  enum QueueKind {
    /** In this process: the FIFO of {@code limits.queue-length} in front of {@code limits.concurrent-generations}. */
    LOCAL,
    /** On workers ({@code ldm4j worker}) consuming a Redis Stream per model. */
    REDIS
  }

  /**
   * The job queue. With {@code kind=redis} every generation is put on the model's Redis Stream at
   * {@code url} and answered by a worker; this node's own models (if any) only check requests before
   * queueing. The defaults live in {@link io.github.ldm4j.queue.QueueSettings}.
   */
  interface Queue {
    /** {@code local} (the default: today's in-process queue) or {@code redis}. */
    @WithDefault("local")
    QueueKind kind();

    /**
     * The Redis address, {@code redis://HOST:PORT}, or {@code
     * redis-sentinel://HOST:PORT[,HOST:PORT…]/MASTERNAME} for the master Redis Sentinels name
     * (required with {@code kind=redis}).
     */
    Optional<String> url();

    /**
     * Whether this node opens its models; false makes an API node without models (requires {@code
     * kind=redis}): it validates requests against the limits only, and workers check the rest.
     */
    @WithDefault("true")
    boolean localModels();

    /** Jobs a model's stream holds (waiting plus running) before a submission gets 429. */
    @WithDefault(io.github.ldm4j.queue.QueueSettings.DEFAULT_MAX_LENGTH)
    int maxLength();

    /** Idle time after which a job of a dead worker is reclaimed by another (at most 60 s is sensible). */
    @WithDefault(io.github.ldm4j.queue.QueueSettings.DEFAULT_RECLAIM_IDLE)
    Duration reclaimIdle();

    /** Deliveries after which a job that never finished goes to the dead-letter stream. */
    @WithDefault(io.github.ldm4j.queue.QueueSettings.DEFAULT_MAX_DELIVERIES)
    int maxDeliveries();

    /** How long a job's outcome stays in Redis. */
    @WithDefault(io.github.ldm4j.queue.QueueSettings.DEFAULT_RESULT_TTL)
    Duration resultTtl();

    /** Worker heartbeat interval (a worker is gone after three missed beats). */
    @WithDefault(io.github.ldm4j.queue.QueueSettings.DEFAULT_HEARTBEAT)
    Duration heartbeat();
  }
}
