package io.github.ldm4j.app;

import io.github.ldm4j.spi.Placement;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.quarkus.runtime.Ldm4jPipelines;
import io.github.ldm4j.queue.QueueAddress;
import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ldm4j serve}: the REST service (OpenAI images API, the AUTOMATIC1111 subset, {@code /ldm4j/*},
 * health, metrics, OpenAPI and Swagger UI). Its options become configuration before Quarkus starts
 * ({@link #configuration}, applied by {@link Main#main}); any other {@code quarkus.ldm4j.*} property
 * may be given as {@code -D} or in {@code application.properties}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Runs the REST service: POST /v1/images/generations (OpenAI), /sdapi/v1/* (AUTOMATIC1111), "
        + "/ldm4j/*, /q/health/ready, /q/metrics, /q/swagger-ui.")
final class ServeCommand implements Callable<Integer> {

  /** The extension's model folder property; the extension has no model of its own. */
  static final String MODEL_PATH = "quarkus.ldm4j.model.path";

  /** The demo model's folder, the value of {@value #MODEL_PATH} when nothing else sets it (application.properties). */
  static final String DEMO_MODEL_PATH = "ldm4j.demo-model.path";

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--model", description = "A checkpoint file (.safetensors, .ckpt; SD 1.x or 2.x, converted once and cached), a"
      + " model folder (diffusers/optimum ONNX layout) or the NAME of a checkpoint in the library (--models-dir). Default: the"
      + " embedded demo model.")
  Path model;

  @Option(names = "--backend", description = "Backend: onnx (default) or openvino.")
  String backend;

  @Option(names = "--device", description = "Device: onnx execution provider (cpu, cuda:0, ...) or OpenVINO device (CPU, GPU, ...).")
  String device;

  @Option(names = "--place", paramLabel = "COMPONENT=BACKEND[:DEVICE]", description = "Run one network of the default "
      + "model elsewhere (text_encoder, unet, vae_decoder, vae_encoder), e.g. --place unet=onnx:cuda:0. Repeatable.")
  Map<String, String> placement = new java.util.LinkedHashMap<>();

  @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' on every ldm4j endpoint and on /q/* "
      + "but health (metrics, OpenAPI, Swagger UI). Visible to other users in the process list: prefer --api-key-file "
      + "or the environment variable " + API_KEY_ENV + ".")
  String apiKey;

  @Option(names = "--api-key-file", paramLabel = "FILE", description = "As --api-key, the key read from FILE (surrounding "
      + "whitespace stripped) at startup; a missing or empty file fails the startup.")
  Path apiKeyFile;

  @Option(names = "--api-auth", paramLabel = "USER:PASSWORD[,USER:PASSWORD...]", description = "AUTOMATIC1111's "
      + "--api-auth: also accept HTTP Basic ('Authorization: Basic', as A1111 clients send it) with one of these "
      + "credentials wherever --api-key is required (and require it there when no key is given). Visible to other "
      + "users in the process list, as A1111's.")
  String apiAuth;

  /** The environment variable that gives the API key when neither option does. */
  static final String API_KEY_ENV = "LDM4J_API_KEY";

  /** The environment, {@link System#getenv(String)} (replaced by tests). */
  java.util.function.UnaryOperator<String> env = System::getenv;

  @Option(names = "--verbose", description = "Print stack traces on failure.")
  boolean verbose;

  @Option(names = "--queue", paramLabel = "redis://HOST:PORT", description = "Run the generations on workers "
      + "(ldm4j worker --redis URL) through Redis Streams instead of in this process "
      + "(quarkus.ldm4j.queue.kind=redis). With Sentinel: redis-sentinel://HOST:PORT[,HOST:PORT...]/MASTERNAME.")
  String queue;

  @Option(names = "--no-models", description = "Open no model: an API node that only queues (needs --queue).")
  boolean noModels;

  @Inject Instance<Ldm4jPipelines> pipelines;

  /**
   * The configuration these options stand for: the HTTP listener on {@code --host}:{@code --port},
   * INFO logging, and the {@code quarkus.ldm4j.*} overrides of the options given. The model is
   * {@code --model}; else {@value #MODEL_PATH} from any configuration source (system property,
   * environment, {@code config/application.properties}); else {@code demoModel}'s folder (the
   * embedded demo model, written on first use), given as {@value #DEMO_MODEL_PATH}, which the app's
   * own {@code application.properties} uses at the lowest priority.
   *
   * @throws IllegalArgumentException for a port outside 0..65535
   */
  Map<String, String> configuration(Supplier<Path> demoModel) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
    }
    Map<String, String> c = new LinkedHashMap<>();
    c.put("quarkus.http.host-enabled", "true");
    c.put("quarkus.http.port", Integer.toString(port));
    c.put("quarkus.http.host", host);
    c.put("quarkus.log.level", "INFO");
    c.put("quarkus.ldm4j.stop-on-signal", "true");
    if (queue != null) {
      try {
        QueueAddress.parse(queue);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--queue: " + e.getMessage(), e);
      }
      c.put("quarkus.ldm4j.queue.kind", "redis");
      c.put("quarkus.ldm4j.queue.url", queue);
    }
    if (noModels) {
      if (queue == null) {
        throw new IllegalArgumentException("--no-models needs --queue redis://HOST:PORT: workers run the generations");
      }
      if (model != null) {
        throw new IllegalArgumentException("--no-models and --model are mutually exclusive");
      }
      c.put("quarkus.ldm4j.queue.local-models", "false");
    } else if (model != null) {
      c.put(MODEL_PATH, checkpointFolder(checkpointOptions.resolveModel(model)).toAbsolutePath().toString());
    } else if (System.getProperty(MODEL_PATH) == null && System.getenv("QUARKUS_LDM4J_MODEL_PATH") == null) {
      // The lowest-priority model (application.properties: quarkus.ldm4j.model.path=${ldm4j.demo-model.path:}),
      // so a path set in config/application.properties still wins.
      c.put(DEMO_MODEL_PATH, demoModel.get().toAbsolutePath().toString());
    }
    if (backend != null) {
      c.put("quarkus.ldm4j.backend", backend);
    }
    placement.forEach((component, where) -> c.put("quarkus.ldm4j.model.placement.\"" + component + "\"", where));
    if (device != null) {
      c.put("quarkus.ldm4j.device", device);
    }
    checkpointOptions.libraryConfiguration().forEach(c::put);
    checkpointOptions.precisionConfiguration().forEach(c::put);
    tuning.configuration().forEach(c::put);
    apiKey().forEach(c::put);
    if (apiAuth != null) {
      if (apiAuth.isBlank()) {
        throw new IllegalArgumentException("--api-auth is empty");
      }
      c.put("quarkus.ldm4j.api-auth", apiAuth);
    }
    return c;
  }

  /**
   * The API key configuration: {@code --api-key} or {@code --api-key-file} (at most one), else
   * {@value #API_KEY_ENV} from the environment when set; the file is read by the extension at startup
   * ({@code quarkus.ldm4j.api-key-file}).
   *
   * @throws IllegalArgumentException when both options are given, or an option or the variable is empty
   */
  private Map<String, String> apiKey() {
    if (apiKey != null && apiKeyFile != null) {
      throw new IllegalArgumentException("--api-key and --api-key-file are mutually exclusive");
    }
    if (apiKeyFile != null) {
      return Map.of("quarkus.ldm4j.api-key-file", apiKeyFile.toAbsolutePath().toString());
    }
    if (apiKey != null) {
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("--api-key is empty");
      }
      return Map.of("quarkus.ldm4j.api-key", apiKey);
    }
    String fromEnv = env.apply(API_KEY_ENV);
    if (fromEnv == null) {
      return Map.of();
    }
    if (fromEnv.isBlank()) {
      throw new IllegalArgumentException(API_KEY_ENV + " is set but empty; unset it or give it the key");
    }
    return Map.of("quarkus.ldm4j.api-key", fromEnv.strip());
  }

  @Mixin CheckpointOptions checkpointOptions;

  @Mixin TuningOptions tuning = new TuningOptions();

  /**
   * What the extension is given for {@code model}: a checkpoint file itself when the extension's own
   * conversion (the defaults, at {@code quarkus.ldm4j.precision}, which {@code --precision} sets) is
   * what the options ask for — so that requests can merge LoRAs into it — else its converted folder
   * (written on first use: with {@code --vae}, {@code --lora}, {@code --weights}, {@code
   * --prediction} or {@code --config}); a model folder as is.
   */
  private Path checkpointFolder(Path model) {
    return checkpointFolder(checkpointOptions, model, backend, device, placement);
  }

  /**
   * What {@code quarkus.ldm4j.model.path} names for {@code model} (shared with {@code worker}, so both
   * open a model alike): a checkpoint the extension converts the same way itself ({@link
   * CheckpointOptions#convertsAsTheExtension}; its precision is passed as {@code
   * quarkus.ldm4j.precision}), else the folder the CLI converts it to (or the folder given).
   */
  static Path checkpointFolder(CheckpointOptions checkpointOptions, Path model, String backend, String device,
      Map<String, String> placement) {
    try {
      String dev = device != null ? device : "cpu";
      Placement unet = Placement.parseEach(placement, dev).getOrDefault(ModelComponent.UNET,
          new Placement(backend != null ? backend : "onnx", dev));
      if (CheckpointOptions.isCheckpoint(model) && checkpointOptions.convertsAsTheExtension()) {
        return model;
      }
      return checkpointOptions.modelFolder(model, unet);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot open the checkpoint " + model, e);
    }
  }

  @Override
  public Integer call() {
    Ldm4jPipelines opened;
    try {
      opened = pipelines.get();
      opened.names();
    } catch (RuntimeException e) {
      throw new IllegalStateException("ldm4j: cannot serve: " + Ldm4jCommand.message(e), e);
    }
    String shown = host.equals("0.0.0.0") ? "localhost" : host;
    String what = queue == null ? String.join(", ", opened.names())
        : (opened.names().isEmpty() ? "no model" : String.join(", ", opened.names())) + " (generations on the workers of "
            + QueueAddress.parse(queue) + ")";
    System.out.println("ldm4j: serving " + what + " on http://" + shown + ":" + port
        + " (POST /v1/images/generations, /sdapi/v1/txt2img; /q/health/ready, /q/metrics, /q/swagger-ui)");
    System.out.flush();
    Quarkus.waitForExit();
    return 0;
  }
}
