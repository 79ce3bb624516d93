package io.github.ldm4j.demo;

import java.util.List;

/**
 * The 16 labelled images of the shapes oracle and its fixed first stage.
 *
 * <p><b>Images.</b> S×S (S a multiple of 8), light grey (230, 230, 230) background, one centred
 * shape ({@link ShapeKind}) in one colour ({@link ShapeColour}) spanning 60 % of the image; edges
 * anti-aliased by 4×4 supersampling. Image k = colour·4 + shape (colours and shapes in enum
 * order). Attribute vector A_k ∈ {0,1}⁸ over (red, green, blue, yellow, circle, square, triangle,
 * cross) marks its colour and its shape.
 *
 * <p><b>First stage.</b> Each 8×8 RGB patch (pixels mapped to [−1, 1] as v/127.5 − 1) is
 * represented by 4 latent channels through an orthonormal patch basis B (192×4): columns 0–2 are
 * the constant patches of the R, G and B channel (1/8 everywhere in that channel), column 3 a
 * horizontal ramp (x − 3.5)/√1008 in all three channels. Decoder: patch = B·z + bg (bg = the
 * background in [−1, 1]), i.e. ConvTranspose(4→3, kernel 8, stride 8) + bias. Encoder: its
 * least-squares inverse z = Bᵀ(patch − bg), i.e. Conv(3→4, kernel 8, stride 8) + bias. The
 * scaling factor is 1/std of all dataset latent values (CompVis {@code scale_by_std}; unbiased
 * std); the oracle's dataset latents are y_k = scaling_factor · encode(image_k).
 *
 * <p>Immutable; computed in double precision.
 */
public final class ShapesDataset {

  /** Number of images. */
  public static final int IMAGES = 16;
  /** Number of attributes (4 colours + 4 shapes). */
  public static final int ATTRIBUTES = 8;
  /** Background grey level of all three channels. */
  public static final int BACKGROUND = 230;
  /** Latent channels. */
  public static final int LATENT_CHANNELS = 4;
  /** First-stage downsampling factor (patch size). */
  public static final int PATCH = 8;
  /** Smallest supported image size. */
  public static final int MIN_SIZE = 16;
  /** Largest supported image size. */
  public static final int MAX_SIZE = 2048;

  private static final int SUPERSAMPLING = 4;
  private static final double RAMP_NORM = Math.sqrt(1008);

  private final int size;
  private final byte[][] images;
  private final double[][] latents;
  private final double scalingFactor;

  private ShapesDataset(int size) {
    this.size = size;
    images = new byte[IMAGES][];
    latents = new double[IMAGES][];
    for (int k = 0; k < IMAGES; k++) {
      images[k] = render(colourOf(k), kindOf(k), size);
      latents[k] = encode(toSigned(images[k], size), size);
    }
    double sum = 0;
    long n = 0;
    for (double[] z : latents) {
      for (double v : z) {
        sum += v;
        n++;
      }
    }
    double mean = sum / n;
    double ss = 0;
    for (double[] z : latents) {
      for (double v : z) {
        ss += (v - mean) * (v - mean);
      }
    }
    scalingFactor = 1 / Math.sqrt(ss / (n - 1));
  }

  /**
   * The dataset at image size {@code imageSize}.
   *
   * @throws IllegalArgumentException unless imageSize is a multiple of 8 in [{@value #MIN_SIZE}, {@value #MAX_SIZE}]
   */
  public static ShapesDataset of(int imageSize) {
    checkSize(imageSize);
    return new ShapesDataset(imageSize);
  }

  /** Validates an image size (multiple of 8, within [{@value #MIN_SIZE}, {@value #MAX_SIZE}]). */
  public static int checkSize(int imageSize) {
    if (imageSize % PATCH != 0 || imageSize < MIN_SIZE || imageSize > MAX_SIZE) {
      throw new IllegalArgumentException("imageSize must be a multiple of 8 in [" + MIN_SIZE + ", " + MAX_SIZE
          + "], got " + imageSize);
    }
    return imageSize;
  }

  /** Image side S in pixels. */
  public int imageSize() {
    return size;
  }

  /** Latent side S/8. */
  public int latentSize() {
    return size / PATCH;
  }

  /** The scaling factor, 1/std of the dataset latents. */
  public double scalingFactor() {
    return scalingFactor;
  }

  /** The index of the image of this colour and shape: colour·4 + shape. */
  public static int index(ShapeColour colour, ShapeKind kind) {
    return colour.ordinal() * 4 + kind.ordinal();
  }

  /** Colour of image k. */
  public static ShapeColour colourOf(int k) {
    return ShapeColour.values()[checkIndex(k) / 4];
  }

  /** Shape of image k. */
  public static ShapeKind kindOf(int k) {
    return ShapeKind.values()[checkIndex(k) % 4];
  }

  /** The 8 attribute words in attribute order: red, green, blue, yellow, circle, square, triangle, cross. */
  public static List<String> attributeWords() {
    return List.of("red", "green", "blue", "yellow", "circle", "square", "triangle", "cross");
  }

  /** CLIP token ids of the attribute words, in attribute order. */
  public static int[] attributeTokenIds() {
    int[] ids = new int[ATTRIBUTES];
    for (ShapeColour c : ShapeColour.values()) {
      ids[c.ordinal()] = c.tokenId();
    }
    for (ShapeKind s : ShapeKind.values()) {
      ids[4 + s.ordinal()] = s.tokenId();
    }
    return ids;
  }

  /** A_k: 1 for the image's colour and shape attributes, 0 elsewhere. */
  public static double[] attributes(int k) {
    double[] a = new double[ATTRIBUTES];
    a[colourOf(k).ordinal()] = 1;
    a[4 + kindOf(k).ordinal()] = 1;
    return a;
  }

  /** Image k as interleaved RGB bytes (row-major, S·S·3; values 0..255 as unsigned bytes). */
  public byte[] image(int k) {
    return images[checkIndex(k)].clone();
  }

  /** encode(image_k) before scaling, [4, S/8, S/8] channel-major. */
  public double[] rawLatent(int k) {
    return latents[checkIndex(k)].clone();
  }

  /** y_k = scaling_factor · encode(image_k), [4, S/8, S/8] channel-major. */
  public double[] scaledLatent(int k) {
    double[] z = rawLatent(k);
    for (int i = 0; i < z.length; i++) {
      z[i] *= scalingFactor;
    }
    return z;
  }

  /** The background level in [−1, 1]: 230/127.5 − 1. */
  public static double backgroundSigned() {
    return BACKGROUND / 127.5 - 1;
  }

  /**
   * Basis element B[(c, y, x), j] for channel c, patch row y, column x and latent channel j: the
   * decoder (ConvTranspose) weight W[j, c, y, x] and encoder (Conv) weight E[j, c, y, x].
   */
  public static double basis(int j, int c, int y, int x) {
    return switch (j) {
      case 0, 1, 2 -> j == c ? 1.0 / PATCH : 0;
      case 3 -> (x - 3.5) / RAMP_NORM;
      default -> throw new IllegalArgumentException("latent channel must be 0..3, got " + j);
    };
  }

  /** Encoder bias of latent channel j: −Σ B[·, j]·bg. */
  public static double encoderBias(int j) {
    double s = 0;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < PATCH; y++) {
        for (int x = 0; x < PATCH; x++) {
          s += basis(j, c, y, x);
        }
      }
    }
    return -s * backgroundSigned();
  }

  /**
   * Encodes an image given as [3, H, W] channel-major values in [−1, 1] (H, W multiples of 8) to a
   * raw latent [4, H/8, W/8].
   */
  public static double[] encode(double[] chw, int side) {
    int l = side / PATCH;
    double bg = backgroundSigned();
    double[] z = new double[LATENT_CHANNELS * l * l];
    for (int j = 0; j < LATENT_CHANNELS; j++) {
      for (int py = 0; py < l; py++) {
        for (int px = 0; px < l; px++) {
          double s = 0;
          for (int c = 0; c < 3; c++) {
            for (int y = 0; y < PATCH; y++) {
              for (int x = 0; x < PATCH; x++) {
                double v = chw[(c * side + py * PATCH + y) * side + px * PATCH + x];
                s += basis(j, c, y, x) * (v - bg);
              }
            }
          }
          z[(j * l + py) * l + px] = s;
        }
      }
    }
    return z;
  }

  /** Decodes a raw latent [4, L, L] to an image [3, 8L, 8L] in [−1, 1]-ish (not clamped). */
  public static double[] decode(double[] latent, int latentSide) {
    int side = latentSide * PATCH;
    double bg = backgroundSigned();
    double[] img = new double[3 * side * side];
    for (int c = 0; c < 3; c++) {
      for (int py = 0; py < latentSide; py++) {
        for (int px = 0; px < latentSide; px++) {
          for (int y = 0; y < PATCH; y++) {
            for (int x = 0; x < PATCH; x++) {
              double v = bg;
              for (int j = 0; j < LATENT_CHANNELS; j++) {
                v += basis(j, c, y, x) * latent[(j * latentSide + py) * latentSide + px];
              }
              img[(c * side + py * PATCH + y) * side + px * PATCH + x] = v;
            }
          }
        }
      }
    }
    return img;
  }

  /** Interleaved RGB bytes → [3, S, S] values in [−1, 1]. */
  public static double[] toSigned(byte[] rgb, int side) {
    double[] chw = new double[3 * side * side];
    for (int i = 0; i < side * side; i++) {
      for (int c = 0; c < 3; c++) {
        chw[c * side * side + i] = (rgb[3 * i + c] & 0xFF) / 127.5 - 1;
      }
    }
    return chw;
  }

  private static byte[] render(ShapeColour colour, ShapeKind kind, int side) {
    byte[] rgb = new byte[3 * side * side];
    int n = SUPERSAMPLING * SUPERSAMPLING;
    for (int py = 0; py < side; py++) {
      for (int px = 0; px < side; px++) {
        int inside = 0;
        for (int sy = 0; sy < SUPERSAMPLING; sy++) {
          for (int sx = 0; sx < SUPERSAMPLING; sx++) {
            double dx = (px + (sx + 0.5) / SUPERSAMPLING) / side - 0.5;
            double dy = (py + (sy + 0.5) / SUPERSAMPLING) / side - 0.5;
            if (kind.contains(dx, dy)) {
              inside++;
            }
          }
        }
        for (int c = 0; c < 3; c++) {
          int v = (BACKGROUND * (n - inside) + colour.channel(c) * inside + n / 2) / n;
          rgb[3 * (py * side + px) + c] = (byte) v;
        }
      }
    }
    return rgb;
  }

  private static int checkIndex(int k) {
    if (k < 0 || k >= IMAGES) {
      throw new IllegalArgumentException("image index must be in [0, 16), got " + k);
    }
    return k;
  }
}
