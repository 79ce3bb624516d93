package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.OvCore;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.backend.openvino.internal.SharedCore;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Parameterization;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * The networks of one model folder on OpenVINO, read (OpenVINO IR preferred, else ONNX) and
 * contract-checked, sharing one {@code ov_core_t}.
 *
 * <p><b>Ownership:</b> owns the three components; {@link #close()} closes each once. The components
 * may also be closed one by one (as {@link io.github.ldm4j.spi.ModelComponents} does): the shared
 * core is freed with the last of them.
 */
public final class OpenVinoNetworks implements AutoCloseable {

  private final OpenVinoTextEncoder textEncoder;
  private final OpenVinoUNet unet;
  private final OpenVinoFirstStage firstStage;
  private boolean closed;

  private OpenVinoNetworks(OpenVinoTextEncoder textEncoder, OpenVinoUNet unet, OpenVinoFirstStage firstStage) {
    this.textEncoder = textEncoder;
    this.unet = unet;
    this.firstStage = firstStage;
  }

  /**
   * Opens every network of {@code folder} on its configured device. On any failure what was opened
   * is freed.
   *
   * @param parameterization what the UNet predicts (from the scheduler config)
   * @throws IOException naming the file that is missing or that OpenVINO cannot read
   * @throws IllegalArgumentException for an unavailable device or an unsupported contract
   */
  public static OpenVinoNetworks open(OpenVinoRuntime runtime, ModelFolder folder, OpenVinoOptions options,
      Parameterization parameterization) throws IOException {
    SharedCore core = new SharedCore(OvCore.create(runtime.api()));
    List<AutoCloseable> opened = new ArrayList<>();
    try (core) {
      List<String> available = core.core().availableDevices();
      for (ModelComponent c : ModelComponent.values()) {
        if (folder.has(c)) {
          options.deviceFor(c).requireAvailable(available);
        }
      }
      OpenVinoTextEncoder te = new OpenVinoTextEncoder(network(core, folder, ModelComponent.TEXT_ENCODER, options));
      opened.add(te);
      OpenVinoUNet unet = new OpenVinoUNet(
          network(core, folder, ModelComponent.UNET, options), parameterization, folder.unetInChannels());
      opened.add(unet);
      OvNetwork dec = network(core, folder, ModelComponent.VAE_DECODER, options);
      opened.add(dec);
      Optional<OvNetwork> enc = Optional.empty();
      if (folder.has(ModelComponent.VAE_ENCODER)) {
        enc = Optional.of(network(core, folder, ModelComponent.VAE_ENCODER, options));
        opened.add(enc.get());
      }
      OpenVinoFirstStage vae = new OpenVinoFirstStage(dec, enc, folder.scalingFactor());
      return new OpenVinoNetworks(te, unet, vae);
    } catch (IOException | RuntimeException e) {
      for (AutoCloseable c : opened.reversed()) {
        try {
          c.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** The component's network file: {@code openvino_model.xml} when present, else {@code model.onnx}. */
  static Path networkFile(ModelFolder folder, ModelComponent c) throws NoSuchFileException {
    try {
      return folder.networkFile(c, EnumSet.of(ModelFolder.Format.OPENVINO_IR));
    } catch (NoSuchFileException e) {
      return folder.networkFile(c, EnumSet.of(ModelFolder.Format.ONNX));
    }
  }

  private static OvNetwork network(SharedCore core, ModelFolder folder, ModelComponent c, OpenVinoOptions options)
      throws IOException {
    Path file = networkFile(folder, c);
    String what = c.folderName() + " (" + file + ")";
    try {
      return OvNetwork.open(core, file, what, options.deviceFor(c).name(), options.compileProperties(),
          options.staticShapes(), options.compiledShapes(), options.inferRequests());
    } catch (OpenVinoException e) {
      throw new IOException("OpenVINO cannot read " + c.folderName() + " from " + file + ": " + e.getMessage(), e);
    }
  }

  /** The text transformer. */
  public OpenVinoTextEncoder textEncoder() {
    return textEncoder;
  }

  /** The denoising network. */
  public OpenVinoUNet unet() {
    return unet;
  }

  /** The VAE. */
  public OpenVinoFirstStage firstStage() {
    return firstStage;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    for (AutoCloseable c : new AutoCloseable[] {unet, textEncoder, firstStage}) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing OpenVINO networks failed: " + e.getMessage(), e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
