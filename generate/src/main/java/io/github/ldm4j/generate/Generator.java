package io.github.ldm4j.generate;

import io.github.ldm4j.conditioning.embedding.TextualInversion;
import io.github.ldm4j.conditioning.text.ClipCondStage;

import io.github.ldm4j.conditioning.guidance.ClassifierFreeGuidance;
import io.github.ldm4j.conditioning.guidance.GuidanceOptions;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.GuidancePair;
import io.github.ldm4j.model.InpaintingConditioning;
import io.github.ldm4j.model.MaskDownsampling;
import io.github.ldm4j.pipeline.LatentDiffusion;
import io.github.ldm4j.pipeline.LatentPreview;
import io.github.ldm4j.pipeline.TiledDecoder;
import io.github.ldm4j.generate.internal.InitialNoise;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.random.RngKind;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.sampler.StepListener;
import io.github.ldm4j.samplers.PlannedSampling;
import io.github.ldm4j.samplers.SamplingChoice;
import io.github.ldm4j.samplers.SamplingPlanner;
import io.github.ldm4j.samplers.diffusers.SamplerRecipe;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs the generation front ends — txt2img, img2img, inpainting — on a {@link LatentDiffusion}
 * (opened by {@link ModelAssembler} from any backends' networks): prompts through the cond stage
 * into one {@link GuidancePair}, classifier-free guidance wrapped around the model's checked
 * denoiser, the sampler and step plan from the {@link SamplingPlanner} (the model's own sampler
 * recipe as the default), per-image seeded noise (image i of a batch uses seed + i, so it can be
 * reproduced alone), {@link LatentDiffusion#sample} and {@link LatentDiffusion#decode} (in tiles above
 * the configured size) — the one checked path — and 8-bit RGB with the parameters that reproduce
 * each image. A text-to-image request with a {@link HiresFix} runs a second sampling pass on the
 * same path: the first pass's latent upscaled, then partially denoised at the target size.
 *
 * <p><b>Ownership:</b> a generator owns the model it was given and closes it in {@link #close()}
 * (idempotent); one with replaced weights ({@link #withWeights}, {@link ModelAssembler}) owns those
 * too and closes them after the model. {@link #generate} is thread-safe: concurrent requests share the model and keep
 * their own state.
 */
public final class Generator implements AutoCloseable {

  private final LatentDiffusion model;
  private final Optional<SamplerRecipe> recipe;
  private final GenerationLimits limits;
  private final Optional<ModelAssembler.Parts> parts;
  private volatile LatentPreview preview;

  /**
   * A generator over {@code model}, taking ownership of it.
   *
   * @param recipe the model's default sampler (from its {@code scheduler_config.json}), if it names one
   */
  public Generator(LatentDiffusion model, Optional<SamplerRecipe> recipe, GenerationLimits limits) {
    this(model, recipe, limits, Optional.empty(), null);
  }

  Generator(LatentDiffusion model, Optional<SamplerRecipe> recipe, GenerationLimits limits,
      Optional<ModelAssembler.Parts> parts, AutoCloseable alsoOwned) {
    this.model = Objects.requireNonNull(model, "model");
    this.recipe = Objects.requireNonNull(recipe, "recipe");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.parts = parts;
    this.alsoOwned = alsoOwned;
  }

  /** Closed after the model: the replaced weights its networks were opened with (or null). */
  private final AutoCloseable alsoOwned;

  Optional<ModelAssembler.Parts> parts() {
    return parts;
  }

  /**
   * A generator over this one's model with {@code overrides} replacing some weights (a LoRA set's
   * merged weights): only the networks of the components it overrides are opened again, with
   * them; the others (the VAE always, the text encoder for a UNet-only LoRA) are this generator's,
   * shared. Costs what opening those networks costs, nothing for the others.
   *
   * <p><b>Ownership:</b> the caller owns the result, which owns only the networks it opened and
   * {@code overrides} (closed after those networks; on failure too); close it before this generator.
   * Both may generate at the same time.
   *
   * @throws IOException when a network file cannot be opened again
   * @throws IllegalArgumentException when an overridden component's backend cannot replace weights
   *     ({@link io.github.ldm4j.spi.BackendProvider#overridesWeights()}) or a weight is not in its network
   * @throws UnsupportedOperationException for a generator not opened by {@link ModelAssembler}
   */
  public Generator withWeights(io.github.ldm4j.spi.WeightOverrides overrides) throws IOException {
    Objects.requireNonNull(overrides, "overrides");
    if (model.isClosed()) {
      throw new IllegalStateException("generator is closed");
    }
    return ModelAssembler.derive(this, overrides);
  }

  /**
   * Opens the model folder (or single-file checkpoint, with {@code ldm4j-checkpoint} on the class
   * path) {@code modelDir} with {@link ModelAssembler}: every network on the
   * backend named {@code backend}, except where {@code options} places a component elsewhere.
   *
   * @throws IOException when model files are missing or unreadable
   * @throws IllegalArgumentException for an unknown backend or an unsupported model
   */
  public static Generator open(Path modelDir, String backend, BackendOptions options, GenerationLimits limits)
      throws IOException {
    return ModelAssembler.open(modelDir, backend, options, limits);
  }

  /**
   * {@link #open(Path, String, BackendOptions, GenerationLimits)} with textual-inversion {@code
   * embeddings} that prompts and negative prompts may name (see {@link ModelAssembler#open(Path,
   * String, BackendOptions, GenerationLimits, java.util.function.Function, List)} for how the text
   * encoder takes them).
   *
   * @throws IOException when model files are missing or unreadable
   * @throws IllegalArgumentException for an unknown backend, an unsupported model, or two
   *     embeddings of the same name
   */
  public static Generator open(Path modelDir, String backend, BackendOptions options, GenerationLimits limits,
      List<TextualInversion> embeddings) throws IOException {
    return ModelAssembler.open(modelDir, backend, options, limits, io.github.ldm4j.spi.Backends::find, embeddings);
  }

  /**
   * The textual-inversion embeddings {@code request}'s prompt and negative prompt name, in order of
   * first use (empty when the model was opened without embeddings or its cond stage takes none):
   * what A1111's {@code TI hashes} lists.
   *
   * @throws IllegalArgumentException for a prompt the syntax rejects, or one naming an unusable
   *     embedding (the message says why)
   */
  public List<TextualInversion> embeddingsIn(GenerationRequest request) {
    Objects.requireNonNull(request, "request");
    if (model.condStage() instanceof ClipCondStage clip) {
      return clip.embeddingsIn(List.of(request.prompt(), request.negativePrompt()));
    }
    return List.of();
  }

  /** The model (owned by this generator). */
  public LatentDiffusion model() {
    return model;
  }

  /** The model's default sampler recipe, if its scheduler config names one. */
  public Optional<SamplerRecipe> recipe() {
    return recipe;
  }

  /** The limits enforced. */
  public GenerationLimits limits() {
    return limits;
  }

  /**
   * Checks, without running anything, that the model's networks can run {@code request}'s image
   * size: a multiple of the downsampling factor, and the spatial dimensions fixed by the networks'
   * declarations (a UNet exported with a static {@code [?, 4, 64, 64]} sample runs 512×512 only).
   * {@link #generate} checks this first; servers call it to refuse a request before queueing it.
   *
   * @throws IllegalArgumentException naming the network, its fixed input and the size asked for
   */
  public void checkSize(GenerationRequest request) {
    ModelSizes.check(model, Objects.requireNonNull(request, "request"), limits.tiledDecodeAbovePixels());
  }

  /** {@link #generate(GenerationRequest, ProgressListener, CancellationToken)} without progress or cancellation. */
  public GenerationResult generate(GenerationRequest request) {
    return generate(request, ProgressListener.NONE, CancellationToken.none());
  }

  /**
   * Generates the request's images.
   *
   * @throws IllegalArgumentException for a request outside the limits or the model's abilities
   * @throws java.util.concurrent.CancellationException when {@code cancellation} fires
   */
  public GenerationResult generate(GenerationRequest request, ProgressListener listener, CancellationToken cancellation) {
    return generate(request, Provenance.of(Objects.requireNonNull(request, "request")), listener, cancellation);
  }

  /**
   * Generates the request's images, their parameters text saying what {@code provenance} adds (the
   * prompts as the user wrote them, model, VAE and LoRA hashes).
   *
   * @throws IllegalArgumentException for a request outside the limits or the model's abilities
   * @throws java.util.concurrent.CancellationException when {@code cancellation} fires
   */
  public GenerationResult generate(GenerationRequest request, Provenance provenance, ProgressListener listener,
      CancellationToken cancellation) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(provenance, "provenance");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(cancellation, "cancellation");
    if (model.isClosed()) {
      throw new IllegalStateException("generator is closed");
    }
    GenerationSettings s = request.settings();
    limits.check(s);
    if (request instanceof GenerationRequest.TextToImage t && t.hires().isPresent()) {
      limits.check(t.hires().get().secondPass(s));
    }
    checkSize(request);
    FirstStage firstStage = model.firstStage();
    Denoiser denoiser = model.denoiser();
    int f = firstStage.downsamplingFactor();
    int b = s.batchSize();
    Shape latentShape = Shape.of(b, denoiser.latentChannels(), s.height() / f, s.width() / f);
    cancellation.throwIfCancelled();

    RandomSource rng = perImage(s, b);
    double strength = switch (request) {
      case GenerationRequest.TextToImage t -> 1.0;
      case GenerationRequest.ImageToImage i -> i.strength();
      case GenerationRequest.Inpainting p -> p.strength();
    };
    PlannedSampling planned = SamplingPlanner.plan(
        new SamplingChoice(s.sampler(), s.scheduler(), s.steps(), strength, model.schedule(), recipe));
    List<String> warnings = new ArrayList<>(planned.notes());

    ConditioningKey key = denoiser.conditioningKey();
    boolean text = key == ConditioningKey.CROSSATTN || key == ConditioningKey.HYBRID;
    boolean concat = key == ConditioningKey.CONCAT || key == ConditioningKey.HYBRID;
    GuidancePair prompts = null;
    if (text) {
      prompts = model.condStage().encodeForGuidance(
          Collections.nCopies(b, request.prompt()), Collections.nCopies(b, request.negativePrompt()), s.clipSkip());
      warnings.addAll(prompts.warnings());
    }

    Optional<Tensor> init = Optional.empty();
    Tensor channels = null;
    Tensor z0 = null;
    Tensor latentMask = null;
    switch (request) {
      case GenerationRequest.TextToImage t -> {
        if (concat) {
          channels = generateEverything(firstStage, b, s);
        }
      }
      case GenerationRequest.ImageToImage i -> {
        requireEncoder(firstStage, "img2img");
        z0 = model.getFirstStageEncoding(model.encodeFirstStage(batchOf(i.initImage().toTensor(), b)), rng);
        init = Optional.of(z0);
        if (concat) {
          channels = generateEverything(firstStage, b, s);
        }
      }
      case GenerationRequest.Inpainting p -> {
        requireEncoder(firstStage, "inpainting");
        Tensor image = batchOf(p.image().toTensor(), b);
        Tensor mask = batchOf(p.mask().binarized().toTensor(), b);
        z0 = model.getFirstStageEncoding(model.encodeFirstStage(image), rng);
        if (p.strength() < 1) {
          init = Optional.of(z0);
        }
        if (concat) {
          channels = InpaintingConditioning.fromImage(firstStage, image, mask, MaskDownsampling.NEAREST, Optional.of(rng));
        } else {
          latentMask = InpaintingConditioning.downsampleMask(mask, f, MaskDownsampling.ANY_MASKED);
        }
      }
    }
    Tensor noise = InitialNoise.first(rng, latentShape, s, f);

    ModelFunction guided = guided(key, prompts, channels, s);
    LatentBlend blend = latentMask == null ? null
        : new LatentBlend(guided, denoiser.parameterization(), model.schedule(), z0, noise, latentMask);
    ModelFunction fn = blend == null ? guided : blend;

    Optional<HiresFix> hires = request instanceof GenerationRequest.TextToImage t ? t.hires() : Optional.empty();
    Optional<GenerationSettings> second = hires.map(h -> h.secondPass(s));
    Optional<PlannedSampling> planned2 = hires.map(h -> hiresPlan(second.get(), h.denoisingStrength()));
    int total = planned.plan().steps() + planned2.map(p -> p.plan().steps()).orElse(0);

    SamplingRun run = new SamplingRun(fn, denoiser.parameterization(), model.schedule(), planned.plan(), noise, init, rng,
        progress(listener, 0, total), cancellation);
    Tensor z = model.sample(planned.sampler(), run);
    if (blend != null) {
      z = blend.blendFinal(z);
    }
    if (hires.isPresent()) {
      cancellation.throwIfCancelled();
      HiresFix h = hires.get();
      GenerationSettings s2 = second.get();
      PlannedSampling p2 = planned2.get();
      p2.notes().stream().filter(n -> !warnings.contains(n)).forEach(warnings::add);
      Tensor upscaled = upscale(h, z, s, rng);
      // A1111's sample_hr_pass: a fresh ImageRNG from the same seeds at the target latent size
      RandomSource rng2 = perImage(s2, b);
      Tensor noise2 = InitialNoise.first(rng2, upscaled.shape(), s2, f);
      ModelFunction guided2 = guided(key, prompts, concat ? generateEverything(firstStage, b, s2) : null, s2);
      SamplingRun run2 = new SamplingRun(guided2, denoiser.parameterization(), model.schedule(), p2.plan(), noise2,
          Optional.of(upscaled), rng2, progress(listener, planned.plan().steps(), total), cancellation);
      z = model.sample(p2.sampler(), run2);
    }
    cancellation.throwIfCancelled();
    Tensor images = model.decode(z, limits.tiledDecodeAbovePixels(), TiledDecoder.DEFAULT);
    List<GeneratedImage> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      RgbImage img = RgbImage.fromTensor(images, i, s.quantize());
      String params = ParametersText.forImage(
          request, planned.samplerName(), planned.scheduleName(), i, model.name(), provenance);
      out.add(new GeneratedImage(img, s.imageSeed(i), params));
    }
    return new GenerationResult(out, planned.samplerName(), planned.scheduleName(), warnings);
  }

  private void requireEncoder(FirstStage firstStage, String what) {
    if (!firstStage.canEncode()) {
      throw new IllegalArgumentException(
          what + " needs the model's VAE encoder, but " + model.name()
              + " has none (a decoder-only export without vae_encoder/); use text-to-image or a model with an encoder");
    }
  }

  /** Inpainting-model conditioning for "generate everything": mask 1 everywhere, nothing kept. */
  private Tensor generateEverything(FirstStage firstStage, int b, GenerationSettings s) {
    if (!firstStage.canEncode()) {
      throw new IllegalArgumentException("this inpainting model has no VAE encoder, so it cannot build its mask conditioning");
    }
    Tensor image = Tensor.zeros(b, 3, s.height(), s.width());
    Tensor mask = Tensor.full(Shape.of(b, 1, s.height(), s.width()), 1f);
    return InpaintingConditioning.fromImage(firstStage, image, mask, MaskDownsampling.NEAREST, Optional.empty());
  }

  /**
   * Step events numbered across both passes of a hires fix: the run's steps start after {@code
   * before} steps of {@code total}.
   */
  private StepListener progress(ProgressListener listener, int before, int total) {
    if (listener == ProgressListener.NONE) {
      return StepListener.NONE;
    }
    return e -> {
      Optional<RgbImage> img = Optional.empty();
      if (listener.wantsPreview()) {
        img = Optional.of(preview().render(e.denoised(), 0));
      }
      listener.onProgress(new ProgressEvent(before + e.step() + 1, total, e.sigma(), img));
    };
  }

  /** Classifier-free guidance around the denoiser with the prompts and, for inpainting models, {@code channels}. */
  private ModelFunction guided(ConditioningKey key, GuidancePair prompts, Tensor channels, GenerationSettings s) {
    Denoiser denoiser = model.denoiser();
    GuidancePair pair = switch (key) {
      case NONE -> GuidancePair.same(Conditioning.none());
      case CROSSATTN -> prompts;
      case CONCAT -> GuidancePair.same(Conditioning.concat(channels));
      case HYBRID -> prompts.withConcat(channels);
    };
    return key == ConditioningKey.NONE
        ? ClassifierFreeGuidance.conditional(denoiser, pair.cond())
        : ClassifierFreeGuidance.wrap(denoiser, pair, GuidanceOptions.of(s.guidanceScale()).withRescale(s.guidanceRescale())
            .withCutoffSigma(s.guidanceCutoffSigma()), model.schedule());
  }

  /**
   * The hires second pass's plan as AUTOMATIC1111 makes it ({@code setup_img2img_steps} with the
   * steps given): the schedule built for ⌊steps / min(strength, 0.999)⌋ steps, of which the last
   * {@code steps} are run — so the pass runs exactly the steps asked for, with timestep and σ plans
   * alike.
   */
  private PlannedSampling hiresPlan(GenerationSettings s2, double strength) {
    int steps = s2.steps();
    int total = Math.max(steps, (int) (steps / Math.min(strength, 0.999)));
    PlannedSampling full = SamplingPlanner.plan(
        new SamplingChoice(s2.sampler(), s2.scheduler(), total, 1.0, model.schedule(), recipe));
    StepPlan last = switch (full.plan()) {
      case StepPlan.Timesteps t -> t.steps() <= steps ? t : t.range(t.steps() - steps, t.steps());
      case StepPlan.Sigmas g -> {
        double[] v = g.values();
        yield new StepPlan.Sigmas(Arrays.copyOfRange(v, Math.max(0, v.length - steps - 1), v.length));
      }
    };
    return new PlannedSampling(full.sampler(), last, full.samplerName(), full.scheduleName(), full.notes());
  }

  /** Per-image generators: image i of the batch seeded with {@link GenerationSettings#imageSeed}. */
  private static RandomSource perImage(GenerationSettings s, int b) {
    List<RandomSource> perImage = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      perImage.add(s.rng().create(s.imageSeed(i)));
    }
    return RandomSource.perItem(perImage);
  }

  /**
   * The first pass's latent {@code z} enlarged for the hires second pass (A1111's {@code
   * sample_hr_pass}): interpolated in latent space, or decoded to 8-bit RGB ({@code s}'s
   * quantization), resized and encoded again (the encoder's sample drawn from {@code rng}); then
   * cropped evenly to the final size.
   */
  private Tensor upscale(HiresFix h, Tensor z, GenerationSettings s, RandomSource rng) {
    FirstStage firstStage = model.firstStage();
    int f = firstStage.downsamplingFactor();
    HiresFix.Resolution r = h.resolve(s.width(), s.height());
    int uw = r.upscaleWidth() / f;
    int uh = r.upscaleHeight() / f;
    Tensor up;
    if (h.upscaler().isLatent()) {
      up = h.upscaler().upscaleLatent(z, uh, uw);
    } else {
      requireEncoder(firstStage, "hires fix with the " + h.upscaler().a1111Name() + " upscaler (use a Latent upscaler)");
      Tensor decoded = model.decode(z, limits.tiledDecodeAbovePixels(), TiledDecoder.DEFAULT);
      Tensor[] resized = new Tensor[z.dim(0)];
      for (int i = 0; i < resized.length; i++) {
        RgbImage low = RgbImage.fromTensor(decoded, i, s.quantize());
        resized[i] = h.upscaler().upscaleImage(low, uw * f, uh * f).toTensor();
      }
      up = model.getFirstStageEncoding(model.encodeFirstStage(Tensor.concat(0, resized)), rng);
    }
    int cropX = (r.upscaleWidth() - r.width()) / f;
    int cropY = (r.upscaleHeight() - r.height()) / f;
    return cropY == 0 && cropX == 0 ? up : crop(up, cropY / 2, cropX / 2, r.height() / f, r.width() / f);
  }

  /** The {@code [N, C, h, w]} window of {@code x} at ({@code top}, {@code left}). */
  private static Tensor crop(Tensor x, int top, int left, int h, int w) {
    int n = x.dim(0) * x.dim(1);
    int ih = x.dim(2);
    int iw = x.dim(3);
    Tensor out = Tensor.zeros(x.dim(0), x.dim(1), h, w);
    for (int p = 0; p < n; p++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          out.set((p * h + y) * w + xx, x.get((p * ih + y + top) * iw + xx + left));
        }
      }
    }
    return out;
  }

  private LatentPreview preview() {
    LatentPreview p = preview;
    if (p == null) {
      synchronized (this) {
        p = preview;
        if (p == null) {
          p = LatentPreview.fit(model.firstStage(), RngKind.TORCH.create(0));
          preview = p;
        }
      }
    }
    return p;
  }

  private static Tensor batchOf(Tensor one, int b) {
    if (b == 1) {
      return one;
    }
    Tensor[] copies = new Tensor[b];
    Arrays.fill(copies, one);
    return Tensor.concat(0, copies);
  }

  /** Closes the model (idempotent), then the replaced weights its networks used, if it owns any. */
  @Override
  public void close() {
    try {
      model.close();
    } finally {
      if (alsoOwned != null) {
        try {
          alsoOwned.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the replaced weights failed: " + e.getMessage(), e);
        }
      }
    }
  }
}
