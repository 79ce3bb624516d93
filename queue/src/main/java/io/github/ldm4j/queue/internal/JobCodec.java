package io.github.ldm4j.queue.internal;

import io.github.ldm4j.conditioning.prompt.LoraTag;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
import io.github.ldm4j.generate.HiresFix;
import io.github.ldm4j.generate.HiresUpscaler;
import io.github.ldm4j.generate.ProgressEvent;
import io.github.ldm4j.generate.SeedResize;
import io.github.ldm4j.generate.Variation;
import io.github.ldm4j.image.Mask;
import io.github.ldm4j.queue.JobSelection;
import io.github.ldm4j.image.PngCodec;
import io.github.ldm4j.image.Quantization;
import io.github.ldm4j.image.RgbImage;
import io.github.ldm4j.random.RngKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The wire form of a job's request and of its outcome, as stored in Redis: a versioned binary
 * record (a magic number, then the fields in order). Images of a request travel as raw RGB (masks as
 * floats); images of a result as PNG with their parameters text chunk, which decodes to the same
 * pixels. A payload of another version or a truncated one is refused with a message naming it.
 */
public final class JobCodec {

  private static final int REQUEST_MAGIC = 0x4c444a33; // "LDJ3": settings with the CFG cut-off sigma, variation and seed resize; text-to-image with its hires fix
  private static final int OUTCOME_MAGIC = 0x4c444f31; // "LDO1"
  private static final int SELECTION_MAGIC = 0x4c445331; // "LDS1"
  /** Largest image side accepted when decoding (a corrupt size fails instead of allocating). */
  private static final long MAX_PIXELS = 1L << 28;
  /** Largest preview accepted from a worker (1/8 of a 4096 px side squared, with room to spare). */
  static final long MAX_PREVIEW_PIXELS = 1L << 20;

  private JobCodec() {}

  /** The request's bytes. */
  public static byte[] encode(GenerationRequest request) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(REQUEST_MAGIC);
      switch (request) {
        case GenerationRequest.TextToImage t -> out.writeByte(0);
        case GenerationRequest.ImageToImage i -> out.writeByte(1);
        case GenerationRequest.Inpainting p -> out.writeByte(2);
      }
      writeString(out, request.prompt());
      writeString(out, request.negativePrompt());
      writeSettings(out, request.settings());
      switch (request) {
        case GenerationRequest.TextToImage t -> writeHires(out, t.hires());
        case GenerationRequest.ImageToImage i -> {
          writeImage(out, i.initImage());
          out.writeDouble(i.strength());
        }
        case GenerationRequest.Inpainting p -> {
          writeImage(out, p.image());
          out.writeInt(p.mask().width());
          out.writeInt(p.mask().height());
          for (float v : p.mask().values()) {
            out.writeFloat(v);
          }
          out.writeDouble(p.strength());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The request of {@code bytes}.
   *
   * @throws IllegalArgumentException for bytes that are not a request of this version
   */
  public static GenerationRequest decodeRequest(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != REQUEST_MAGIC) {
        throw new IllegalArgumentException("not a job request of this ldm4j version (bad magic number)");
      }
      int kind = in.readByte();
      String prompt = readString(in);
      String negative = readString(in);
      GenerationSettings s = readSettings(in);
      return switch (kind) {
        case 0 -> new GenerationRequest.TextToImage(prompt, negative, s, readHires(in));
        case 1 -> new GenerationRequest.ImageToImage(prompt, negative, s, readImage(in), in.readDouble());
        case 2 -> {
          RgbImage image = readImage(in);
          int w = in.readInt();
          int h = in.readInt();
          checkSize("mask", w, h);
          checkLeft(in, "mask of " + w + "x" + h, (long) w * h * Float.BYTES);
          float[] v = new float[w * h];
          for (int i = 0; i < v.length; i++) {
            v[i] = in.readFloat();
          }
          yield new GenerationRequest.Inpainting(prompt, negative, s, image, new Mask(w, h, v), in.readDouble());
        }
        default -> throw new IllegalArgumentException("unknown job request kind " + kind);
      };
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated job request: " + e.getMessage(), e);
    }
  }

  /** The selection's bytes. */
  public static byte[] encode(JobSelection selection) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(SELECTION_MAGIC);
      writeString(out, selection.prompt());
      writeString(out, selection.negativePrompt());
      out.writeInt(selection.loras().size());
      for (LoraTag t : selection.loras()) {
        writeString(out, t.name());
        out.writeDouble(t.teMultiplier());
        out.writeDouble(t.unetMultiplier());
      }
      writeString(out, selection.vae().orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The selection of {@code bytes}.
   *
   * @throws IllegalArgumentException for bytes that are not a selection of this version
   */
  public static JobSelection decodeSelection(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != SELECTION_MAGIC) {
        throw new IllegalArgumentException("not a job selection of this ldm4j version (bad magic number)");
      }
      String prompt = readString(in);
      String negative = readString(in);
      int n = in.readInt();
      if (n < 0 || n > in.available()) {
        throw new IllegalArgumentException("job selection with " + n + " LoRAs in " + bytes.length + " bytes");
      }
      List<LoraTag> loras = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        loras.add(new LoraTag(readString(in), in.readDouble(), in.readDouble()));
      }
      String vae = readString(in);
      return new JobSelection(prompt, negative, loras, vae.isEmpty() ? Optional.empty() : Optional.of(vae));
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated job selection: " + e.getMessage(), e);
    }
  }

  /** The outcome's bytes. */
  public static byte[] encode(Outcome outcome) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(OUTCOME_MAGIC);
      out.writeByte(outcome.status().ordinal());
      writeString(out, outcome.message());
      if (outcome.result().isPresent()) {
        GenerationResult r = outcome.result().get();
        writeString(out, r.sampler());
        writeString(out, r.schedule());
        out.writeInt(r.warnings().size());
        for (String w : r.warnings()) {
          writeString(out, w);
        }
        out.writeInt(r.images().size());
        for (GeneratedImage image : r.images()) {
          out.writeLong(image.seed());
          byte[] png = image.png();
          out.writeInt(png.length);
          out.write(png);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The outcome of {@code bytes}.
   *
   * @throws IllegalArgumentException for bytes that are not an outcome of this version
   */
  public static Outcome decodeOutcome(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != OUTCOME_MAGIC) {
        throw new IllegalArgumentException("not a job outcome of this ldm4j version (bad magic number)");
      }
      int status = in.readByte();
      if (status < 0 || status >= Outcome.Status.values().length) {
        throw new IllegalArgumentException("unknown job outcome status " + status);
      }
      Outcome.Status st = Outcome.Status.values()[status];
      String message = readString(in);
      if (st != Outcome.Status.DONE) {
        return new Outcome(st, message, Optional.empty());
      }
      String sampler = readString(in);
      String schedule = readString(in);
      int nw = in.readInt();
      checkCount(in, "warnings", nw, Integer.BYTES);
      List<String> warnings = new ArrayList<>();
      for (int i = 0; i < nw; i++) {
        warnings.add(readString(in));
      }
      int n = in.readInt();
      checkCount(in, "images", n, Long.BYTES + Integer.BYTES);
      List<GeneratedImage> images = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long seed = in.readLong();
        int length = in.readInt();
        checkLeft(in, "image " + (i + 1) + " of the job outcome", length);
        byte[] png = in.readNBytes(length);
        PngCodec.Decoded d = PngCodec.decode(png, maxPngPixels(length));
        images.add(new GeneratedImage(d.image(), seed, d.parameters().orElse("")));
      }
      return new Outcome(st, message, Optional.of(new GenerationResult(images, sampler, schedule, warnings)));
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated job outcome: " + e.getMessage(), e);
    }
  }

  /**
   * The most pixels a PNG of {@code length} bytes can hold: deflate expands at most 1032:1 and a pixel
   * takes at least one bit, so a header claiming more is refused before its raster is allocated.
   */
  static long maxPngPixels(int length) {
    return Math.min(MAX_PIXELS, 8L * 1032 * length);
  }

  /** A string as its UTF-8 length and bytes (no 64 KiB limit, unlike writeUTF: prompts may be long). */
  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new IOException("string of " + n + " bytes with " + in.available() + " left");
    }
    return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void writeSettings(DataOutputStream out, GenerationSettings s) throws IOException {
    out.writeInt(s.width());
    out.writeInt(s.height());
    out.writeInt(s.steps());
    writeString(out, s.sampler().orElse(""));
    writeString(out, s.scheduler().orElse(""));
    out.writeDouble(s.guidanceScale());
    out.writeDouble(s.guidanceRescale());
    out.writeDouble(s.guidanceCutoffSigma());
    out.writeLong(s.seed());
    writeString(out, s.rng().name());
    out.writeInt(s.batchSize());
    out.writeInt(s.clipSkip());
    writeString(out, s.quantize().name());
    out.writeBoolean(s.variation().isPresent());
    if (s.variation().isPresent()) {
      out.writeLong(s.variation().get().subseed());
      out.writeDouble(s.variation().get().strength());
    }
    out.writeBoolean(s.seedResize().isPresent());
    if (s.seedResize().isPresent()) {
      out.writeInt(s.seedResize().get().width());
      out.writeInt(s.seedResize().get().height());
    }
  }

  private static GenerationSettings readSettings(DataInputStream in) throws IOException {
    int w = in.readInt();
    int h = in.readInt();
    int steps = in.readInt();
    String sampler = readString(in);
    String scheduler = readString(in);
    double guidance = in.readDouble();
    double rescale = in.readDouble();
    double cutoff = in.readDouble();
    long seed = in.readLong();
    RngKind rng = enumValue(RngKind.class, "rng", readString(in));
    int batch = in.readInt();
    int clipSkip = in.readInt();
    Quantization q = enumValue(Quantization.class, "quantization", readString(in));
    Optional<Variation> variation = in.readBoolean() ? Optional.of(new Variation(in.readLong(), in.readDouble())) : Optional.empty();
    Optional<SeedResize> resize = in.readBoolean() ? Optional.of(new SeedResize(in.readInt(), in.readInt())) : Optional.empty();
    return new GenerationSettings(w, h, steps, sampler.isEmpty() ? Optional.empty() : Optional.of(sampler),
        scheduler.isEmpty() ? Optional.empty() : Optional.of(scheduler), guidance, rescale, cutoff, seed, rng, batch, clipSkip, q,
        variation, resize);
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String field, String name) {
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("job request with an unknown " + field + " " + abbreviate(name), e);
    }
  }

  private static void writeImage(DataOutputStream out, RgbImage image) throws IOException {
    out.writeInt(image.width());
    out.writeInt(image.height());
    out.write(image.rgb());
  }

  private static RgbImage readImage(DataInputStream in) throws IOException {
    int w = in.readInt();
    int h = in.readInt();
    checkSize("image", w, h);
    checkLeft(in, "image of " + w + "x" + h, (long) w * h * 3);
    return new RgbImage(w, h, in.readNBytes(w * h * 3));
  }

  /** The hires fix: present flag, then the target (0 scale + factor, 1 size + width, height), upscaler name, steps, strength. */
  private static void writeHires(DataOutputStream out, Optional<HiresFix> hires) throws IOException {
    out.writeBoolean(hires.isPresent());
    if (hires.isEmpty()) {
      return;
    }
    HiresFix h = hires.get();
    switch (h.target()) {
      case HiresFix.Scale s -> {
        out.writeByte(0);
        out.writeDouble(s.factor());
      }
      case HiresFix.Size z -> {
        out.writeByte(1);
        out.writeInt(z.width());
        out.writeInt(z.height());
      }
    }
    writeString(out, h.upscaler().name());
    out.writeInt(h.steps());
    out.writeDouble(h.denoisingStrength());
  }

  private static Optional<HiresFix> readHires(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return Optional.empty();
    }
    int kind = in.readByte();
    HiresFix.Target target = switch (kind) {
      case 0 -> new HiresFix.Scale(in.readDouble());
      case 1 -> new HiresFix.Size(in.readInt(), in.readInt());
      default -> throw new IllegalArgumentException("unknown hires target kind " + kind + " in a job request");
    };
    HiresUpscaler upscaler = HiresUpscaler.fromName(readString(in));
    return Optional.of(new HiresFix(target, upscaler, in.readInt(), in.readDouble()));
  }

  /**
   * A progress event as a worker's {@code PROGRESS} script stores it in the job's events stream: its
   * {@code step}, {@code total} and {@code sigma} fields (decimal text); the preview is decoded apart.
   *
   * @throws IllegalArgumentException naming the field that is missing or not a number
   */
  public static ProgressEvent decodeProgress(String step, String total, String sigma, Optional<RgbImage> preview) {
    int s = parseInt("step", step);
    int t = parseInt("total", total);
    if (s < 1 || t < s) {
      throw new IllegalArgumentException("progress event with step " + s + " of " + t);
    }
    if (sigma == null) {
      throw new IllegalArgumentException("progress event without its sigma field");
    }
    try {
      return new ProgressEvent(s, t, Double.parseDouble(sigma), preview);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("progress event sigma is not a number: " + abbreviate(sigma), e);
    }
  }

  /**
   * A progress event's preview, a PNG of at most {@value #MAX_PREVIEW_PIXELS} pixels.
   *
   * @throws IllegalArgumentException for bytes that are not such a PNG
   */
  public static RgbImage decodePreview(byte[] png) {
    return PngCodec.decode(png, Math.min(MAX_PREVIEW_PIXELS, maxPngPixels(png.length))).image();
  }

  private static int parseInt(String field, String value) {
    if (value == null) {
      throw new IllegalArgumentException("progress event without its " + field + " field");
    }
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("progress event " + field + " is not an integer: " + abbreviate(value), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? "\"" + s + "\"" : "\"" + s.substring(0, 40) + "…\" (" + s.length() + " chars)";
  }

  /** Refuses a length read from the bytes that is negative or more than the bytes left, before allocating. */
  private static void checkLeft(DataInputStream in, String what, long length) throws IOException {
    if (length < 0 || length > in.available()) {
      throw new IllegalArgumentException("truncated job payload: " + what + " needs " + length + " bytes, "
          + in.available() + " left");
    }
  }

  /** Refuses a count read from the bytes of items at least {@code minBytes} each that the bytes left cannot hold. */
  private static void checkCount(DataInputStream in, String what, int count, int minBytes) throws IOException {
    if (count < 0 || (long) count * minBytes > in.available()) {
      throw new IllegalArgumentException("job payload with " + count + " " + what + " in " + in.available()
          + " bytes left");
    }
  }

  private static void checkSize(String what, int w, int h) {
    if (w < 1 || h < 1 || (long) w * h > MAX_PIXELS) {
      throw new IllegalArgumentException("job request " + what + " has an invalid size " + w + "x" + h);
    }
  }
}
