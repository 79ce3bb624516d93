package io.github.ldm4j.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Node;

/**
 * PNG output with the generation parameters in a {@code parameters} text chunk (the AUTOMATIC1111
 * convention: {@code tEXt} when the text is Latin-1, {@code iTXt} UTF-8 otherwise), and decoding of
 * the images users upload (PNG, JPEG, BMP, GIF — what the JDK reads), with a pixel limit checked
 * before any pixel is decoded. Streams are in memory: ImageIO's disk cache registers a JVM shutdown
 * hook per stream, which fails while the JVM shuts down (a server answering its last requests).
 */
public final class PngCodec {

  /** The text-chunk keyword AUTOMATIC1111 and ldm4j store generation parameters under. */
  public static final String PARAMETERS_KEY = "parameters";

  private static final String PNG_FORMAT = "javax_imageio_png_1.0";

  private PngCodec() {}

  /**
   * A decoded image and the generation parameters it carries, if any.
   *
   * @param image the pixels (alpha dropped)
   * @param parameters the {@code parameters} text chunk of a PNG
   */
  public record Decoded(RgbImage image, Optional<String> parameters) {}

  /** Encodes {@code image} as PNG with {@code parameters} (if present) in a text chunk. */
  public static byte[] encode(RgbImage image, Optional<String> parameters) {
    BufferedImage bi = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
    byte[] rgb = image.rgb();
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < image.width(); x++) {
        int i = (y * image.width() + x) * 3;
        bi.setRGB(x, y, ((rgb[i] & 0xff) << 16) | ((rgb[i + 1] & 0xff) << 8) | (rgb[i + 2] & 0xff));
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(bi), param);
      if (parameters.isPresent()) {
        meta.mergeTree(PNG_FORMAT, textTree(parameters.get()));
      }
      writer.setOutput(out);
      writer.write(null, new IIOImage(bi, null, meta), param);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("PNG encoding failed: " + e.getMessage(), e);
    } finally {
      writer.dispose();
    }
  }

  private static IIOMetadataNode textTree(String text) {
    IIOMetadataNode root = new IIOMetadataNode(PNG_FORMAT);
    boolean latin1 = StandardCharsets.ISO_8859_1.newEncoder().canEncode(text);
    if (latin1) {
      IIOMetadataNode chunk = new IIOMetadataNode("tEXt");
      IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
      entry.setAttribute("keyword", PARAMETERS_KEY);
      entry.setAttribute("value", text);
      chunk.appendChild(entry);
      root.appendChild(chunk);
    } else {
      IIOMetadataNode chunk = new IIOMetadataNode("iTXt");
      IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
      entry.setAttribute("keyword", PARAMETERS_KEY);
      entry.setAttribute("compressionFlag", "FALSE");
      entry.setAttribute("compressionMethod", "0");
      entry.setAttribute("languageTag", "");
      entry.setAttribute("translatedKeyword", "");
      entry.setAttribute("text", text);
      chunk.appendChild(entry);
      root.appendChild(chunk);
    }
    return root;
  }

  /**
   * Decodes an image, refusing images of more than {@code maxPixels} pixels before decoding them.
   *
   * @throws IllegalArgumentException when the bytes are not a decodable image or it is too large
   */
  public static Decoded decode(byte[] bytes, long maxPixels) {
    if (bytes == null || bytes.length == 0) {
      throw new IllegalArgumentException("image is empty");
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new IllegalArgumentException("not a decodable image (PNG, JPEG, BMP or GIF expected)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, false);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w * h > maxPixels) {
          throw new IllegalArgumentException(
              "image of " + w + "x" + h + " pixels exceeds the limit of " + maxPixels + " pixels");
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage bi = reader.read(0);
        if (warnings.stream().anyMatch(PngCodec::isTruncation)) {
          // the JDK's JPEG reader fills the missing part with grey and only warns: refuse it
          throw new IllegalArgumentException("image data is truncated (" + String.join("; ", warnings) + ")");
        }
        Optional<String> params = Optional.empty();
        if ("png".equalsIgnoreCase(reader.getFormatName())) {
          params = readText(reader.getImageMetadata(0));
        }
        return new Decoded(toRgb(bi), params);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof EOFException) {
          throw new IllegalArgumentException("image data is truncated", e);
        }
      }
      throw new IllegalArgumentException("not a decodable image: " + e.getMessage(), e);
    }
  }

  /** Whether an ImageIO read warning says the data ended early (libjpeg's JWRN_JPEG_EOF and kin). */
  private static boolean isTruncation(String warning) {
    String w = warning.toLowerCase(java.util.Locale.ROOT);
    return w.contains("truncated") || w.contains("premature end");
  }

  private static Optional<String> readText(IIOMetadata meta) {
    if (meta == null || !java.util.Arrays.asList(meta.getMetadataFormatNames()).contains(PNG_FORMAT)) {
      return Optional.empty();
    }
    Node root = meta.getAsTree(PNG_FORMAT);
    for (Node chunk = root.getFirstChild(); chunk != null; chunk = chunk.getNextSibling()) {
      for (Node e = chunk.getFirstChild(); e != null; e = e.getNextSibling()) {
        if (!(e instanceof IIOMetadataNode n) || !PARAMETERS_KEY.equals(n.getAttribute("keyword"))) {
          continue;
        }
        switch (chunk.getNodeName()) {
          case "tEXt" -> {
            return Optional.of(n.getAttribute("value"));
          }
          case "iTXt" -> {
            return Optional.of(n.getAttribute("text"));
          }
          default -> { }
        }
      }
    }
    return Optional.empty();
  }

  private static RgbImage toRgb(BufferedImage bi) {
    int w = bi.getWidth();
    int h = bi.getHeight();
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = bi.getRGB(x, y);
        int i = (y * w + x) * 3;
        rgb[i] = (byte) (p >> 16);
        rgb[i + 1] = (byte) (p >> 8);
        rgb[i + 2] = (byte) p;
      }
    }
    return new RgbImage(w, h, rgb);
  }
}
