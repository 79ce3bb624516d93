package io.github.ldm4j.backend.onnx;

import io.github.ldm4j.backend.onnx.internal.OnnxSession;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Parameterization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * The ONNX networks of one model folder, opened and contract-checked.
 *
 * <p><b>Ownership:</b> owns the three components; {@link #close()} closes each once.
 *
 * @param folder the model folder
 * @param textEncoder the text transformer
 * @param unet the denoising network
 * @param firstStage the VAE
 */
public record OnnxNetworks(ModelFolder folder, OnnxTextEncoder textEncoder, OnnxUNet unet, OnnxFirstStage firstStage)
    implements AutoCloseable {

  /**
   * Opens every network of {@code folder}. On any failure the sessions opened so far are closed.
   *
   * @param parameterization what the UNet predicts (from the scheduler config)
   * @throws IOException naming the file that is missing or that ONNX Runtime cannot load
   * @throws IllegalArgumentException naming the component and tensor whose contract is unsupported
   */
  public static OnnxNetworks open(ModelFolder folder, OnnxOptions options, Parameterization parameterization)
      throws IOException {
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      var onnx = EnumSet.of(ModelFolder.Format.ONNX);
      OnnxTextEncoder te = new OnnxTextEncoder(session(folder, ModelComponent.TEXT_ENCODER, onnx, options));
      opened.add(te);
      OnnxUNet unet = new OnnxUNet(
          session(folder, ModelComponent.UNET, onnx, options), parameterization, folder.unetInChannels());
      opened.add(unet);
      OnnxSession dec = session(folder, ModelComponent.VAE_DECODER, onnx, options);
      opened.add(dec);
      Optional<OnnxSession> enc = Optional.empty();
      if (folder.has(ModelComponent.VAE_ENCODER)) {
        enc = Optional.of(session(folder, ModelComponent.VAE_ENCODER, onnx, options));
        opened.add(enc.get());
      }
      OnnxFirstStage vae = new OnnxFirstStage(dec, enc, folder.scalingFactor());
      return new OnnxNetworks(folder, te, unet, vae);
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

  private static OnnxSession session(
      ModelFolder folder, ModelComponent c, EnumSet<ModelFolder.Format> formats, OnnxOptions options) throws IOException {
    return OnnxSession.open(folder.networkFile(c, formats), c, options);
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (AutoCloseable c : new AutoCloseable[] {unet, textEncoder, firstStage}) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing ONNX networks failed: " + e.getMessage(), e);
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
