package io.github.ldm4j.pipeline;

import io.github.ldm4j.diffusion.AncestralSampling;
import io.github.ldm4j.diffusion.ScaleFactor;
import io.github.ldm4j.model.CondStage;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.model.FirstStage;
import io.github.ldm4j.model.FixedSize;
import io.github.ldm4j.model.LatentDistribution;
import io.github.ldm4j.model.NonFiniteOutputException;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.random.RandomSource;
import io.github.ldm4j.reference.training.BatchModel;
import io.github.ldm4j.sampler.CancellationToken;
import io.github.ldm4j.sampler.ModelFunction;
import io.github.ldm4j.sampler.Sampler;
import io.github.ldm4j.sampler.SamplingRun;
import io.github.ldm4j.sampler.StepListener;
import io.github.ldm4j.sampler.StepPlan;
import io.github.ldm4j.schedule.DiffusionSchedule;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.tensor.Shape;
import io.github.ldm4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * CompVis {@code LatentDiffusion} as a composition of components, without backend code — and the
 * one model aggregate of ldm4j: the first stage (autoencoder) with its {@code scale_factor}, the
 * cond stage, the denoiser and the training schedule, and the one checked path every generation
 * runs through: {@link #applyModel} (timestep range, conditioning key, shapes, finite output),
 * {@link #sample} (which names the step a non-finite output appeared at), {@link #decode} (tiled or
 * whole, finite output) and {@link #getFirstStageEncoding}.
 *
 * <p><b>Ownership:</b> owns its components; {@link #close()} closes each once (the denoiser first;
 * later calls do nothing) and reports the first failure with the others suppressed. Thread-safe
 * when the components are; the {@code scale_by_std} value is set once, by the first batch encoded.
 */
public final class LatentDiffusion implements AutoCloseable {

  private final String name;
  private final FirstStage firstStage;
  private final CondStage condStage;
  private final Denoiser denoiser;
  private final Denoiser checked = new Checked();
  private final DiffusionSchedule schedule;
  private final ScaleFactor scalePolicy;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile double scale;

  /**
   * Wires the components, taking ownership of them (also when this constructor throws).
   *
   * @param name the model's name (its folder name, say), for the generation parameters
   * @throws IllegalArgumentException when the first stage's and the denoiser's latent channels differ
   */
  public LatentDiffusion(String name, FirstStage firstStage, CondStage condStage, Denoiser denoiser,
      DiffusionSchedule schedule, ScaleFactor scaleFactor) {
    this.name = Objects.requireNonNull(name, "name");
    this.firstStage = Objects.requireNonNull(firstStage, "firstStage");
    this.condStage = Objects.requireNonNull(condStage, "condStage");
    this.denoiser = Objects.requireNonNull(denoiser, "denoiser");
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.scalePolicy = Objects.requireNonNull(scaleFactor, "scaleFactor");
    if (firstStage.latentChannels() != denoiser.latentChannels()) {
      IllegalArgumentException e = new IllegalArgumentException(
          "first stage has " + firstStage.latentChannels() + " latent channels but the denoiser takes "
              + denoiser.latentChannels());
      NetworkSet.closeAfterFailure(e, List.of(denoiser, condStage, firstStage));
      throw e;
    }
    OptionalDouble initial = scaleFactor.initial(firstStage);
    this.scale = initial.isPresent() ? initial.getAsDouble() : Double.NaN;
  }

  /** An unnamed model (in-memory models, tests). */
  public LatentDiffusion(
      FirstStage firstStage, CondStage condStage, Denoiser denoiser, DiffusionSchedule schedule, ScaleFactor scaleFactor) {
    this("in-memory", firstStage, condStage, denoiser, schedule, scaleFactor);
  }

  /** The model's name. */
  public String name() {
    return name;
  }

  /** The autoencoder. */
  public FirstStage firstStage() {
    return firstStage;
  }

  /** The conditioning stage. */
  public CondStage condStage() {
    return condStage;
  }

  /**
   * The denoiser behind {@link #applyModel}'s checks: what guidance wraps, so that every model call
   * of a generation is checked. Closing it does nothing (this model owns the network).
   */
  public Denoiser denoiser() {
    return checked;
  }

  /** The training schedule. */
  public DiffusionSchedule schedule() {
    return schedule;
  }

  /** What the denoiser predicts. */
  public Parameterization parameterization() {
    return denoiser.parameterization();
  }

  /** The scale-factor policy. */
  public ScaleFactor scaleFactorPolicy() {
    return scalePolicy;
  }

  /** Whether the scale factor is known (always, except {@code scale_by_std} before the first batch). */
  public boolean hasScaleFactor() {
    return !Double.isNaN(scale);
  }

  /**
   * The scale factor in effect.
   *
   * @throws IllegalStateException under {@code scale_by_std} before any batch was encoded
   */
  public double scaleFactor() {
    double s = scale;
    if (Double.isNaN(s)) {
      throw new IllegalStateException(
          "scale_by_std: the scale factor is set by the first batch of latents; encode a batch first "
              + "(getFirstStageEncoding or calibrateScaleFactor)");
    }
    return s;
  }

  /**
   * Sets the {@code scale_by_std} value from unscaled latents, if it is not set yet; returns the
   * scale factor in effect (unchanged for the other policies, or once set).
   */
  public synchronized double calibrateScaleFactor(Tensor unscaledLatents) {
    if (Double.isNaN(scale)) {
      scale = ScaleFactor.fromLatents(unscaledLatents);
    }
    return scale;
  }

  /**
   * The latent shape for {@code batch} images of {@code height}×{@code width} pixels.
   *
   * @throws IllegalArgumentException unless both sides are positive multiples of the downsampling factor
   */
  public Shape latentShape(int batch, int height, int width) {
    int f = firstStage.downsamplingFactor();
    if (batch < 1 || height < f || width < f || height % f != 0 || width % f != 0) {
      throw new IllegalArgumentException(
          "need batch >= 1 and image sides that are positive multiples of " + f + ", got batch " + batch + ", "
              + height + "x" + width);
    }
    return Shape.of(batch, denoiser.latentChannels(), height / f, width / f);
  }

  // ------------------------------------------------------------ first stage

  /**
   * CompVis {@code encode_first_stage}: images {@code [B, 3, H, W]} in [−1, 1] to the encoder's
   * posterior over unscaled latents.
   *
   * @throws UnsupportedOperationException when the first stage has no encoder
   */
  public LatentDistribution encodeFirstStage(Tensor image) {
    Objects.requireNonNull(image, "image");
    if (!firstStage.canEncode()) {
      throw new UnsupportedOperationException("this first stage has no encoder (decoder-only export)");
    }
    if (image.rank() != 4 || image.dim(1) != 3) {
      throw new IllegalArgumentException("image must be [B, 3, H, W], got shape " + image.shape());
    }
    Shape latent = latentShape(image.dim(0), image.dim(2), image.dim(3));
    image.requireFinite("image");
    LatentDistribution d = firstStage.encode(image);
    if (d == null || !d.mean().shape().equals(latent)) {
      throw new IllegalStateException(
          "first stage returned latent shape " + (d == null ? "null" : d.mean().shape()) + ", expected " + latent);
    }
    if (!d.mean().allFinite()) {
      throw new NonFiniteOutputException("vae_encoder", Double.NaN);
    }
    return d;
  }

  /**
   * CompVis {@code get_first_stage_encoding}: a sample of the posterior times the scale factor.
   * Under {@code scale_by_std} the first call sets the scale factor from this sample.
   */
  public Tensor getFirstStageEncoding(LatentDistribution posterior, RandomSource rng) {
    Objects.requireNonNull(posterior, "posterior");
    Objects.requireNonNull(rng, "rng");
    Tensor z = posterior.sample(rng);
    double s = Double.isNaN(scale) ? calibrateScaleFactor(z) : scale;
    return z.scale(s);
  }

  /**
   * CompVis {@code decode_first_stage}: scaled latents {@code [B, C, h, w]} to images {@code [B, 3,
   * h·f, w·f]}, dividing by the scale factor first, in one pass.
   */
  public Tensor decodeFirstStage(Tensor z) {
    return decode(z, Optional.empty());
  }

  /**
   * {@link #decodeFirstStage}, in overlapping tiles by {@code tiles} when the image is larger than
   * {@code tiledAbovePixels} pixels (bounded memory for large images), else in one pass; the one
   * decode of every generation.
   *
   * @throws NonFiniteOutputException when the decoder returns NaN or infinity
   */
  public Tensor decode(Tensor z, long tiledAbovePixels, TiledDecoder tiles) {
    checkLatent("latent z", z);
    int f = firstStage.downsamplingFactor();
    long pixels = (long) z.dim(2) * f * z.dim(3) * f;
    return decode(z, pixels > tiledAbovePixels ? Optional.of(tiles) : Optional.empty());
  }

  private Tensor decode(Tensor z, Optional<TiledDecoder> tiles) {
    checkLatent("latent z", z);
    double s = scaleFactor();
    Tensor unscaled = z.scale(1 / s);
    Tensor image = tiles.isPresent() ? tiles.get().decode(firstStage, unscaled) : firstStage.decode(unscaled);
    int f = firstStage.downsamplingFactor();
    Shape expected = Shape.of(z.dim(0), 3, z.dim(2) * f, z.dim(3) * f);
    if (image == null || !image.shape().equals(expected)) {
      throw new IllegalStateException(
          "first stage decoded to shape " + (image == null ? "null" : image.shape()) + ", expected " + expected);
    }
    if (!image.allFinite()) {
      throw new NonFiniteOutputException("vae_decoder", Double.NaN);
    }
    return image;
  }

  // ------------------------------------------------------------ conditioning and model

  /**
   * CompVis {@code get_learned_conditioning}: one context {@code [B, tokens, dim]} for B prompts.
   */
  public Tensor getLearnedConditioning(List<String> prompts) {
    Objects.requireNonNull(prompts, "prompts");
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("prompts must not be empty");
    }
    for (int i = 0; i < prompts.size(); i++) {
      if (prompts.get(i) == null) {
        throw new IllegalArgumentException("prompt " + i + " is null");
      }
    }
    Tensor c = condStage.getLearnedConditioning(List.copyOf(prompts));
    if (c == null || c.rank() != 3 || c.dim(0) != prompts.size()) {
      throw new IllegalStateException(
          "cond stage returned " + (c == null ? "null" : "shape " + c.shape()) + " for " + prompts.size()
              + " prompts; expected [" + prompts.size() + ", tokens, dim]");
    }
    return c;
  }

  /**
   * CompVis {@code apply_model}: the denoiser's raw output for latents {@code x} at per-item
   * timesteps {@code t}.
   *
   * @param x {@code [B, C, h, w]}, finite
   * @param t {@code [B]}, each in [0, T − 1] (fractional allowed)
   * @param conditioning of the denoiser's key
   * @throws IllegalArgumentException for wrong shapes, non-finite x, t out of range, or
   *     conditioning of another key
   * @throws NonFiniteOutputException when the denoiser returns a non-finite output
   */
  public Tensor applyModel(Tensor x, Tensor t, Conditioning conditioning) {
    checkLatent("x", x);
    Objects.requireNonNull(t, "t");
    Objects.requireNonNull(conditioning, "conditioning");
    if (t.rank() != 1 || t.dim(0) != x.dim(0)) {
      throw new IllegalArgumentException("t must be [B] with B = " + x.dim(0) + ", got shape " + t.shape());
    }
    int last = schedule.timesteps() - 1;
    for (int i = 0; i < t.size(); i++) {
      float v = t.get(i);
      if (!(v >= 0 && v <= last)) {
        throw new IllegalArgumentException(
            "t[" + i + "] = " + v + " is outside [0, T) = [0, " + schedule.timesteps() + ") (T - 1 = " + last + " is the largest)");
      }
    }
    if (conditioning.key() != denoiser.conditioningKey()) {
      throw new IllegalArgumentException(
          "the denoiser takes '" + denoiser.conditioningKey().compvisName() + "' conditioning but was given '"
              + conditioning.key().compvisName() + "'");
    }
    Tensor out = denoiser.applyModel(x, t, conditioning);
    if (out == null || !out.shape().equals(x.shape())) {
      throw new IllegalStateException(
          "denoiser returned " + (out == null ? "null" : "shape " + out.shape()) + " for x of shape " + x.shape());
    }
    if (!out.allFinite()) {
      throw new NonFiniteOutputException("unet", t.get(0));
    }
    return out;
  }

  /** The denoiser under {@code conditioning} as a sampler's {@link ModelFunction}. */
  public ModelFunction modelFunction(Conditioning conditioning) {
    Objects.requireNonNull(conditioning, "conditioning");
    return (x, t) -> {
      Tensor ts = Tensor.full(Shape.of(x.dim(0)), (float) t);
      return applyModel(x, ts, conditioning);
    };
  }

  /** The denoiser under {@code conditioning} as {@code p_losses} calls it. */
  public BatchModel batchModel(Conditioning conditioning) {
    Objects.requireNonNull(conditioning, "conditioning");
    return (x, t) -> applyModel(x, BatchModel.timestepTensor(t), conditioning);
  }

  // ------------------------------------------------------------ reverse process

  /**
   * A {@link SamplingRun} of this model under {@code conditioning}.
   *
   * @param plan the levels to visit
   * @param noise unit Gaussian noise {@code [B, C, h, w]}
   * @param init clean scaled latent for partial denoising, or empty
   * @param rng noise for stochastic steps
   */
  public SamplingRun samplingRun(
      Conditioning conditioning,
      StepPlan plan,
      Tensor noise,
      Optional<Tensor> init,
      RandomSource rng,
      StepListener listener,
      CancellationToken cancellation) {
    checkLatent("noise", noise);
    return new SamplingRun(
        modelFunction(conditioning), denoiser.parameterization(), schedule, plan, noise, init, rng, listener, cancellation);
  }

  /**
   * Runs {@code sampler} on {@code run} and returns the final scaled latent. A non-finite model
   * output stops the run there, named with its step ({@link NonFiniteOutputException#step()}).
   *
   * @throws IllegalArgumentException when the run's parameterization or schedule is not this
   *     model's, or its noise is not a latent of this model
   * @throws NonFiniteOutputException when the model or the sampler produces NaN or infinity
   * @throws IllegalStateException when the sampler returns a wrongly shaped latent
   */
  public Tensor sample(Sampler sampler, SamplingRun run) {
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(run, "run");
    if (run.parameterization() != denoiser.parameterization()) {
      throw new IllegalArgumentException(
          "run declares parameterization " + run.parameterization().compvisName() + " but the denoiser predicts "
              + denoiser.parameterization().compvisName());
    }
    if (run.schedule() != schedule && !Arrays.equals(run.schedule().betas(), schedule.betas())) {
      throw new IllegalArgumentException("run schedule " + run.schedule() + " is not this model's " + schedule);
    }
    checkLatent("run noise", run.noise());
    return checkResult(sampler.name(), countingSteps(run, r -> sampler.sample(r)), run.noise());
  }

  /**
   * CompVis {@code p_sample_loop} under {@code conditioning}: x<sub>T</sub> = one {@code randn} of
   * {@code latentShape} from {@code rng}, then the T-step ancestral loop with its per-step noise
   * from the same {@code rng}.
   *
   * @param clipDenoised CompVis {@code clip_denoised} (its default is true)
   * @return the final scaled latent x<sub>0</sub>
   */
  public Tensor pSampleLoop(
      Conditioning conditioning,
      Shape latentShape,
      RandomSource rng,
      boolean clipDenoised,
      StepListener listener,
      CancellationToken cancellation) {
    Objects.requireNonNull(latentShape, "latentShape");
    Objects.requireNonNull(rng, "rng");
    Tensor noise = rng.randn(latentShape);
    SamplingRun run = samplingRun(
        conditioning, AncestralSampling.fullPlan(schedule), noise, Optional.empty(), rng, listener, cancellation);
    return checkResult("p_sample_loop", countingSteps(run, r -> AncestralSampling.pSampleLoop(r, clipDenoised)), noise);
  }

  private static Tensor countingSteps(SamplingRun run, java.util.function.Function<SamplingRun, Tensor> loop) {
    AtomicInteger done = new AtomicInteger();
    StepListener inner = run.listener();
    SamplingRun counted = new SamplingRun(run.model(), run.parameterization(), run.schedule(), run.plan(), run.noise(),
        run.init(), run.rng(), e -> {
          done.incrementAndGet();
          inner.onStep(e);
        }, run.cancellation());
    try {
      return loop.apply(counted);
    } catch (NonFiniteOutputException e) {
      throw e.step().isPresent() ? e : e.atStep(done.get() + 1, run.plan().steps());
    }
  }

  private void checkLatent(String what, Tensor z) {
    Objects.requireNonNull(z, what);
    if (z.rank() != 4 || z.dim(1) != denoiser.latentChannels()) {
      throw new IllegalArgumentException(
          what + " must be [B, " + denoiser.latentChannels() + ", h, w], got shape " + z.shape());
    }
    z.requireFinite(what);
  }

  private static Tensor checkResult(String who, Tensor out, Tensor like) {
    if (out == null || !out.shape().equals(like.shape())) {
      throw new IllegalStateException(
          who + " returned " + (out == null ? "null" : "shape " + out.shape()) + ", expected " + like.shape());
    }
    if (!out.allFinite()) {
      throw new NonFiniteOutputException(who, Double.NaN);
    }
    return out;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException f = closeComponents();
    if (f != null) {
      throw f;
    }
  }

  private RuntimeException closeComponents() {
    return NetworkSet.closeAll("closing the model's components", List.of(denoiser, condStage, firstStage));
  }

  /** {@link #applyModel} as a {@link Denoiser}: the checked path guidance wraps. */
  private final class Checked implements Denoiser {
    @Override
    public Parameterization parameterization() {
      return denoiser.parameterization();
    }

    @Override
    public ConditioningKey conditioningKey() {
      return denoiser.conditioningKey();
    }

    @Override
    public int latentChannels() {
      return denoiser.latentChannels();
    }

    @Override
    public Tensor applyModel(Tensor x, Tensor t, Conditioning conditioning) {
      return LatentDiffusion.this.applyModel(x, t, conditioning);
    }

    @Override
    public Optional<FixedSize> fixedSampleSize() {
      return denoiser.fixedSampleSize();
    }

    @Override
    public void close() {
      // owned by the model
    }

    @Override
    public String toString() {
      return "checked " + denoiser;
    }
  }
}
