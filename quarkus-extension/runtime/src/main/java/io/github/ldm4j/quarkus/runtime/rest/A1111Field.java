package io.github.ldm4j.quarkus.runtime.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every field of AUTOMATIC1111's {@code POST /sdapi/v1/txt2img} and {@code /sdapi/v1/img2img}
 * request (its {@code StableDiffusionTxt2ImgProcessingAPI} / {@code StableDiffusionImg2ImgProcessingAPI}
 * models: the processing classes' constructor fields plus the API's own, modules/api/models.py and
 * modules/processing.py of AUTOMATIC1111/stable-diffusion-webui, with {@code scheduler} and {@code
 * hr_scheduler} of A1111 1.9) and what ldm4j does with it: the single table behind the binding, the
 * {@code ignored_fields} of the answers' {@code info} and docs/a1111-api.md (checked against it by a
 * test). Keys that are no A1111 field are ignored, as A1111 ignores them.
 *
 * <p>A field is {@link Status#IMPLEMENTED} (bound into {@link A1111Resource}'s request records,
 * whose types check it), {@link Status#HIRES} (the hires fix's, bound likewise), {@link
 * Status#IGNORED_REPORTED} (accepted; at a value other than its neutral ones the image is made
 * without it and the field is listed in {@code info.ignored_fields} and logged once) or {@link
 * Status#REFUSED_WHEN_SET} (400 naming it at a value other than its neutral ones, because ignoring it
 * would give another kind of image than asked). Every field's JSON type is checked: a value of another
 * type is a 400 naming it; null is always accepted, as A1111's Optional fields accept it.
 */
public enum A1111Field {
  PROMPT("prompt", Scope.BOTH, Status.IMPLEMENTED, Kind.STRING, "required (A1111 defaults to \"\"; ldm4j refuses a blank prompt)"),
  NEGATIVE_PROMPT("negative_prompt", Scope.BOTH, Status.IMPLEMENTED, Kind.STRING, ""),
  STYLES("styles", Scope.BOTH, Status.IGNORED_REPORTED, Kind.LIST, "ldm4j keeps no saved prompt styles"),
  SEED("seed", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "-1 or absent: random; image i of all n_iter × batch_size images gets seed + i (seed for all with a variation seed)"),
  SUBSEED("subseed", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "variation seed; -1 or absent: random; image i gets subseed + i"),
  SUBSEED_STRENGTH("subseed_strength", Scope.BOTH, Status.IMPLEMENTED, Kind.NUMBER, "in [0, 1]; 0 = no variation; slerp of the seed's and the subseed's noise as A1111's"),
  SEED_RESIZE_FROM_H("seed_resize_from_h", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "with seed_resize_from_w > 0: the seed's noise drawn at that size, centred"),
  SEED_RESIZE_FROM_W("seed_resize_from_w", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "see seed_resize_from_h"),
  SAMPLER_NAME("sampler_name", Scope.BOTH, Status.IMPLEMENTED, Kind.STRING, "A1111 or ldm4j name; absent: the model's default"),
  SAMPLER_INDEX("sampler_index", Scope.BOTH, Status.IMPLEMENTED, Kind.STRING, "old clients' name for sampler_name, used when sampler_name is absent"),
  SCHEDULER("scheduler", Scope.BOTH, Status.IMPLEMENTED, Kind.STRING, "schedule type (A1111 1.9+): Automatic, Karras, Exponential, … or an ldm4j name"),
  BATCH_SIZE("batch_size", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "images per batch"),
  N_ITER("n_iter", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "batches run one after another; one answer with all images"),
  STEPS("steps", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "absent: the configured default (A1111: 50)"),
  CFG_SCALE("cfg_scale", Scope.BOTH, Status.IMPLEMENTED, Kind.NUMBER, "absent: the configured default (A1111: 7)"),
  WIDTH("width", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "txt2img absent: the configured default; img2img absent: the init image's width (A1111: 512)"),
  HEIGHT("height", Scope.BOTH, Status.IMPLEMENTED, Kind.INT, "as width"),
  RESTORE_FACES("restore_faces", Scope.BOTH, Status.IGNORED_REPORTED, Kind.BOOL, "ldm4j has no face restoration"),
  TILING("tiling", Scope.BOTH, Status.IGNORED_REPORTED, Kind.BOOL, "ldm4j has no seamless tiling"),
  DO_NOT_SAVE_SAMPLES("do_not_save_samples", Scope.BOTH, Status.IMPLEMENTED, Kind.BOOL, "ldm4j's server writes no files: always as true"),
  DO_NOT_SAVE_GRID("do_not_save_grid", Scope.BOTH, Status.IMPLEMENTED, Kind.BOOL, "ldm4j's server writes no grids: always as true"),
  ETA("eta", Scope.BOTH, Status.IGNORED_REPORTED, Kind.NUMBER, "the samplers use their fixed η"),
  S_MIN_UNCOND("s_min_uncond", Scope.BOTH, Status.IMPLEMENTED, Kind.NUMBER, "the CFG cut-off σ (\"NGMS\"): below it the unconditional pass is skipped on every step, as A1111 with s_min_uncond_all"),
  S_CHURN("s_churn", Scope.BOTH, Status.IGNORED_REPORTED, Kind.NUMBER, "k-diffusion churn is not configurable"),
  S_TMAX("s_tmax", Scope.BOTH, Status.IGNORED_REPORTED, Kind.NUMBER, "k-diffusion churn is not configurable"),
  S_TMIN("s_tmin", Scope.BOTH, Status.IGNORED_REPORTED, Kind.NUMBER, "k-diffusion churn is not configurable"),
  S_NOISE("s_noise", Scope.BOTH, Status.IGNORED_REPORTED, Kind.NUMBER, "the samplers use s_noise 1"),
  OVERRIDE_SETTINGS("override_settings", Scope.BOTH, Status.IMPLEMENTED, Kind.OBJECT, "for this request: sd_model_checkpoint, sd_vae, CLIP_stop_at_last_layers (1-12), s_min_uncond applied; samples_format must be png; eta_noise_seed_delta other than 0 and every other option ignored and reported as override_settings.KEY"),
  OVERRIDE_SETTINGS_RESTORE_AFTERWARDS("override_settings_restore_afterwards", Scope.BOTH, Status.IMPLEMENTED, Kind.BOOL, "overrides never outlive the request: always as true"),
  REFINER_CHECKPOINT("refiner_checkpoint", Scope.BOTH, Status.REFUSED_WHEN_SET, Kind.STRING, "no refiner: the image would come from one model only"),
  REFINER_SWITCH_AT("refiner_switch_at", Scope.BOTH, Status.IGNORED_REPORTED, Kind.NUMBER, "no refiner"),
  DISABLE_EXTRA_NETWORKS("disable_extra_networks", Scope.BOTH, Status.IGNORED_REPORTED, Kind.BOOL, "<lora:…> tags always apply"),
  COMMENTS("comments", Scope.BOTH, Status.IGNORED_REPORTED, Kind.OBJECT, "not written into the parameters"),
  FIRSTPHASE_WIDTH("firstphase_width", Scope.TXT2IMG, Status.IGNORED_REPORTED, Kind.INT, "A1111's old hires-fix first pass size; use hr_scale / hr_resize_x/y"),
  FIRSTPHASE_HEIGHT("firstphase_height", Scope.TXT2IMG, Status.IGNORED_REPORTED, Kind.INT, "as firstphase_width"),
  ENABLE_HR("enable_hr", Scope.TXT2IMG, Status.HIRES, Kind.BOOL, "first pass at width x height, upscale, img2img second pass; without it the hr_* fields are ignored, as A1111"),
  DENOISING_STRENGTH("denoising_strength", Scope.BOTH, Status.IMPLEMENTED, Kind.NUMBER, "img2img: in (0, 1], default 0.75; txt2img: the hires fix's"),
  HR_SCALE("hr_scale", Scope.TXT2IMG, Status.HIRES, Kind.NUMBER, "in [1, 8], default 2; a final size that is not a multiple of 8 is a 400 (A1111 floors it)"),
  HR_UPSCALER("hr_upscaler", Scope.TXT2IMG, Status.HIRES, Kind.STRING, "Latent (default), Latent (antialiased), Latent (bicubic), Latent (bicubic antialiased), Latent (nearest), Latent (nearest-exact), Lanczos, Nearest, None (a Lanczos resize); another name is a 400"),
  HR_SECOND_PASS_STEPS("hr_second_pass_steps", Scope.TXT2IMG, Status.HIRES, Kind.INT, "0 or absent: as many as steps"),
  HR_RESIZE_X("hr_resize_x", Scope.TXT2IMG, Status.HIRES, Kind.INT, "target width instead of hr_scale (0: from the height); both: cover, then crop, as A1111"),
  HR_RESIZE_Y("hr_resize_y", Scope.TXT2IMG, Status.HIRES, Kind.INT, "target height, as hr_resize_x"),
  HR_CHECKPOINT_NAME("hr_checkpoint_name", Scope.TXT2IMG, Status.HIRES, Kind.STRING, "only the first pass's checkpoint (absent, \"\" or \"Use same checkpoint\"); another is a 400"),
  HR_SAMPLER_NAME("hr_sampler_name", Scope.TXT2IMG, Status.HIRES, Kind.STRING, "only the first pass's sampler (absent, \"\", \"Use same sampler\" or sampler_name); another is a 400"),
  HR_SCHEDULER("hr_scheduler", Scope.TXT2IMG, Status.HIRES, Kind.STRING, "only the first pass's schedule (absent, \"\", \"Use same scheduler\" or scheduler); another is a 400"),
  HR_PROMPT("hr_prompt", Scope.TXT2IMG, Status.HIRES, Kind.STRING, "only the prompt (absent, \"\" or prompt); another is a 400"),
  HR_NEGATIVE_PROMPT("hr_negative_prompt", Scope.TXT2IMG, Status.HIRES, Kind.STRING, "only the negative prompt (absent, \"\" or negative_prompt); another is a 400"),
  INIT_IMAGES("init_images", Scope.IMG2IMG, Status.IMPLEMENTED, Kind.LIST, "base64 PNG/JPEG; the first is used"),
  RESIZE_MODE("resize_mode", Scope.IMG2IMG, Status.IMPLEMENTED, Kind.INT, "0 just resize, 1 crop and resize, 2 resize and fill, 3 just resize (latent upscale), as A1111's resize_image"),
  IMAGE_CFG_SCALE("image_cfg_scale", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.NUMBER, "instruct-pix2pix models are not served"),
  MASK("mask", Scope.IMG2IMG, Status.IMPLEMENTED, Kind.STRING, "base64 mask, white = regenerate; resized as the init image"),
  MASK_BLUR_X("mask_blur_x", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.INT, "the mask is not blurred"),
  MASK_BLUR_Y("mask_blur_y", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.INT, "the mask is not blurred"),
  MASK_BLUR("mask_blur", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.INT, "the mask is not blurred"),
  MASK_ROUND("mask_round", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.BOOL, "the mask is always rounded (binarized): true is what ldm4j does"),
  INPAINTING_FILL("inpainting_fill", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.INT, "the masked area starts from the original (A1111's 1)"),
  INPAINT_FULL_RES("inpaint_full_res", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.BOOL, "the whole picture is inpainted (A1111's false)"),
  INPAINT_FULL_RES_PADDING("inpaint_full_res_padding", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.INT, "see inpaint_full_res"),
  INPAINTING_MASK_INVERT("inpainting_mask_invert", Scope.IMG2IMG, Status.IMPLEMENTED, Kind.INT, "1: the mask's black is regenerated"),
  INITIAL_NOISE_MULTIPLIER("initial_noise_multiplier", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.NUMBER, "the noise is not scaled (A1111's 1)"),
  LATENT_MASK("latent_mask", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.STRING, "the mask is also the latent mask"),
  INCLUDE_INIT_IMAGES("include_init_images", Scope.IMG2IMG, Status.IGNORED_REPORTED, Kind.BOOL, "the init images are not sent back"),
  SCRIPT_NAME("script_name", Scope.BOTH, Status.REFUSED_WHEN_SET, Kind.STRING, "no A1111 scripts"),
  SCRIPT_ARGS("script_args", Scope.BOTH, Status.IGNORED_REPORTED, Kind.LIST, "arguments of script_name (refused when set)"),
  SEND_IMAGES("send_images", Scope.BOTH, Status.IMPLEMENTED, Kind.BOOL, "false: images is []"),
  SAVE_IMAGES("save_images", Scope.BOTH, Status.IGNORED_REPORTED, Kind.BOOL, "ldm4j's server writes no output files"),
  ALWAYSON_SCRIPTS("alwayson_scripts", Scope.BOTH, Status.REFUSED_WHEN_SET, Kind.OBJECT, "400 naming alwayson_scripts.<name> for a script with arguments (ControlNet, ADetailer, …); scripts without arguments are ignored"),
  FORCE_TASK_ID("force_task_id", Scope.BOTH, Status.IMPLEMENTED, Kind.STRING, "progress at GET /ldm4j/progress/{id}"),
  INFOTEXT("infotext", Scope.BOTH, Status.REFUSED_WHEN_SET, Kind.STRING, "A1111 would take the parameters from this text; send them as fields");

  /** Which endpoint a field belongs to. */
  public enum Scope {
    /** Both. */
    BOTH,
    /** {@code /sdapi/v1/txt2img} only. */
    TXT2IMG,
    /** {@code /sdapi/v1/img2img} only. */
    IMG2IMG;

    /** Whether a field of this scope belongs to {@code endpoint} ({@link #TXT2IMG} or {@link #IMG2IMG}). */
    public boolean covers(Scope endpoint) {
      return this == BOTH || this == endpoint;
    }
  }

  /** What ldm4j does with a field. */
  public enum Status {
    /** Implemented. */
    IMPLEMENTED,
    /** Implemented by the hires fix. */
    HIRES,
    /** Accepted; a non-neutral value is ignored, listed in {@code info.ignored_fields} and logged once. */
    IGNORED_REPORTED,
    /** Accepted at a neutral value; any other is a 400 naming the field. */
    REFUSED_WHEN_SET
  }

  /** A field's JSON type. */
  public enum Kind {
    /** true / false. */
    BOOL,
    /** An integer. */
    INT,
    /** A number. */
    NUMBER,
    /** A string. */
    STRING,
    /** An array. */
    LIST,
    /** An object. */
    OBJECT;

    boolean accepts(JsonNode v) {
      return switch (this) {
        case BOOL -> v.isBoolean();
        case INT -> v.isIntegralNumber();
        case NUMBER -> v.isNumber();
        case STRING -> v.isTextual();
        case LIST -> v.isArray();
        case OBJECT -> v.isObject();
      };
    }

    String label() {
      return switch (this) {
        case BOOL -> "a boolean";
        case INT -> "an integer";
        case NUMBER -> "a number";
        case STRING -> "a string";
        case LIST -> "an array";
        case OBJECT -> "an object";
      };
    }
  }

  private final String json;
  private final Scope scope;
  private final Status status;
  private final Kind kind;
  private final String note;

  A1111Field(String json, Scope scope, Status status, Kind kind, String note) {
    this.json = json;
    this.scope = scope;
    this.status = status;
    this.kind = kind;
    this.note = note;
  }

  /** The JSON name. */
  public String json() {
    return json;
  }

  /** The endpoints. */
  public Scope scope() {
    return scope;
  }

  /** What ldm4j does with it. */
  public Status status() {
    return status;
  }

  /** The JSON type. */
  public Kind kind() {
    return kind;
  }

  /** What it means in ldm4j. */
  public String note() {
    return note;
  }

  /**
   * The neutral values of an ignored or refused field: null, false, 0, "", [], {} — and what A1111's
   * own default does where ldm4j does the same ({@code mask_round: true}, {@code
   * initial_noise_multiplier: 1}, {@code s_noise: 1}, {@code inpainting_fill: 1}, {@code
   * refiner_checkpoint: "None"}); for those three numbers only 1 (0 asks for something else).
   */
  boolean neutral(JsonNode v) {
    if (this == MASK_ROUND) {
      return v == null || v.isNull() || (v.isBoolean() && v.booleanValue()); // false asks for a soft mask
    }
    if (this == INITIAL_NOISE_MULTIPLIER || this == S_NOISE || this == INPAINTING_FILL) {
      // 0 is no neutral value here: no noise, or inpainting_fill 0 = "fill" (A1111), which ldm4j does not do
      return v == null || v.isNull() || (v.isNumber() && v.doubleValue() == 1);
    }
    if (v == null || v.isNull() || (v.isBoolean() && !v.booleanValue()) || (v.isNumber() && v.doubleValue() == 0)
        || (v.isTextual() && v.textValue().isEmpty()) || (v.isContainerNode() && v.isEmpty())) {
      return true;
    }
    return switch (this) {
      case REFINER_CHECKPOINT -> v.isTextual() && v.textValue().equalsIgnoreCase("none");
      case ALWAYSON_SCRIPTS -> alwaysOnWithArgs(v).isEmpty();
      default -> false;
    };
  }

  /**
   * The first always-on script of {@code v} ({@code {"name": {"args": [...]}, …}}) given arguments:
   * a non-empty {@code args} array, or a value that is no object; none for {@code {}}, {@code
   * {"name": {}}} or {@code {"name": {"args": []}}}.
   */
  static Optional<String> alwaysOnWithArgs(JsonNode v) {
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      JsonNode script = e.getValue();
      if (script == null || script.isNull()) {
        continue;
      }
      JsonNode args = script.isObject() ? script.get("args") : script;
      if (args != null && !args.isNull() && !(args.isArray() && args.isEmpty())) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  /**
   * The table as the Markdown of docs/a1111-api.md: one row per field — name, endpoints, what ldm4j
   * does, note.
   */
  static String markdownTable() {
    StringBuilder b = new StringBuilder("| field | endpoints | ldm4j | notes |\n|---|---|---|---|\n");
    for (A1111Field f : values()) {
      String where = switch (f.scope) {
        case BOTH -> "txt2img, img2img";
        case TXT2IMG -> "txt2img";
        case IMG2IMG -> "img2img";
      };
      String what = switch (f.status) {
        case IMPLEMENTED -> "implemented";
        case HIRES -> "implemented (hires fix)";
        case IGNORED_REPORTED -> "ignored, reported";
        case REFUSED_WHEN_SET -> "refused when set (400)";
      };
      b.append("| `").append(f.json).append("` | ").append(where).append(" | ").append(what).append(" | ")
          .append(f.note.replace("|", "\\|")).append(" |\n");
    }
    return b.toString();
  }

  /** The fields of {@code endpoint}. */
  public static List<A1111Field> of(Scope endpoint) {
    return EnumSet.allOf(A1111Field.class).stream().filter(f -> f.scope.covers(endpoint)).toList();
  }

  /** The JSON names of {@code endpoint}'s fields that ldm4j binds (implemented and hires). */
  static Set<String> bound(Scope endpoint) {
    return of(endpoint).stream().filter(f -> f.status == Status.IMPLEMENTED || f.status == Status.HIRES)
        .map(A1111Field::json).collect(Collectors.toSet());
  }

  /**
   * Checks the fields of {@code body} that the records do not bind: 400 naming a field of the wrong
   * JSON type, or a refused one set ({@code alwayson_scripts.<name>} for a script with arguments);
   * returns the ignored fields set to a non-neutral value, in table order.
   */
  static List<String> check(Scope endpoint, JsonNode body) {
    List<String> ignored = new java.util.ArrayList<>();
    for (A1111Field f : of(endpoint)) {
      JsonNode v = body.get(f.json);
      if (v == null || v.isNull()) {
        continue;
      }
      if (!f.kind.accepts(v)) {
        throw ApiException.invalid(f.json, "field '" + f.json + "' must be " + f.kind.label() + ", got "
            + v.getNodeType().toString().toLowerCase(Locale.ROOT));
      }
      if (f.status == Status.IMPLEMENTED || f.status == Status.HIRES || f.neutral(v)) {
        continue;
      }
      if (f.status == Status.REFUSED_WHEN_SET) {
        if (f == ALWAYSON_SCRIPTS) {
          String name = alwaysOnWithArgs(v).orElseThrow();
          throw ApiException.invalid("alwayson_scripts." + name, "alwayson_scripts." + name
              + " is not run by ldm4j (no A1111 scripts or extensions); send it without arguments or leave it out");
        }
        throw ApiException.invalid(f.json, "'" + f.json + "' is not served by ldm4j: " + f.note);
      }
      ignored.add(f.json);
    }
    return ignored;
  }
}
