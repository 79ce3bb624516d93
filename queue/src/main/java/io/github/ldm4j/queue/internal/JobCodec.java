package io.github.ldm4j.queue.internal;

import io.github.ldm4j.conditioning.prompt.LoraTag;
import io.github.ldm4j.generate.GeneratedImage;
import io.github.ldm4j.generate.GenerationRequest;
import io.github.ldm4j.generate.GenerationResult;
import io.github.ldm4j.generate.GenerationSettings;
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

  private static final int REQUEST_MAGIC = 0x4c444a33; // "LDJ3": settings with the CFG cut-off sigma, variation and seed resize
  private static final int OUTCOME_MAGIC = 0x4c444f31; // "LDO1"
  private static final int SELECTION_MAGIC = 0x4c445331; // "LDS1"
  /** Largest image side accepted when decoding (a corrupt size fails instead of allocating). */
  private static final long MAX_PIXELS = 1L << 28;

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
        case GenerationRequest.TextToImage t -> { }
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
        case 0 -> new GenerationRequest.TextToImage(prompt, negative, s);
        case 1 -> new GenerationRequest.ImageToImage(prompt, negative, s, readImage(in), in.readDouble());
        case 2 -> {
          RgbImage image = readImage(in);
          int w = in.readInt();
          int h = in.readInt();
          checkSize("mask", w, h);
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
      List<String> warnings = new ArrayList<>();
      for (int i = 0; i < nw; i++) {
        warnings.add(readString(in));
      }
      int n = in.readInt();
      List<GeneratedImage> images = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        long seed = in.readLong();
        byte[] png = in.readNBytes(in.readInt());
        PngCodec.Decoded d = PngCodec.decode(png, MAX_PIXELS);
        images.add(new GeneratedImage(d.image(), seed, d.parameters().orElse("")));
      }
      return new Outcome(st, message, Optional.of(new GenerationResult(images, sampler, schedule, warnings)));
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated job outcome: " + e.getMessage(), e);
    }
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
    RngKind rng = RngKind.valueOf(readString(in));
    int batch = in.readInt();
    int clipSkip = in.readInt();
    Quantization q = Quantization.valueOf(readString(in));
    Optional<Variation> variation = in.readBoolean() ? Optional.of(new Variation(in.readLong(), in.readDouble())) : Optional.empty();
    Optional<SeedResize> resize = in.readBoolean() ? Optional.of(new SeedResize(in.readInt(), in.readInt())) : Optional.empty();
    return new GenerationSettings(w, h, steps, sampler.isEmpty() ? Optional.empty() : Optional.of(sampler),
        scheduler.isEmpty() ? Optional.empty() : Optional.of(scheduler), guidance, rescale, cutoff, seed, rng, batch, clipSkip, q,
        variation, resize);
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
    return new RgbImage(w, h, in.readNBytes(w * h * 3));
  }

  private static void checkSize(String what, int w, int h) {
    if (w < 1 || h < 1 || (long) w * h > MAX_PIXELS) {
      throw new IllegalArgumentException("job request " + what + " has an invalid size " + w + "x" + h);
    }
  }
}
