package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.onnx.OnnxBackend;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Parameterization;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.contract.NetworkFirstStage;
import io.github.ldm4j.spi.contract.NetworkTextEncoder;
import io.github.ldm4j.spi.contract.NetworkUNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every network of one model folder, opened by one backend and adapted by the {@code spi.contract}
 * classes exactly as {@link io.github.ldm4j.generate.ModelAssembler} adapts them — for tests that
 * need the networks themselves (the OpenVINO network's compile counts, closing one network) rather
 * than a whole model.
 *
 * <p><b>Ownership:</b> owns the set; {@link #close()} closes every network once (idempotent).
 */
record AdaptedNetworks(NetworkSet set, NetworkTextEncoder textEncoder, NetworkUNet unet, NetworkFirstStage firstStage)
    implements AutoCloseable {

  /**
   * The networks of {@code dir} on OpenVINO with {@code runtime} and {@code options}: each component
   * is requested on {@code options.deviceFor(component)} (so the options' device and placement
   * apply), opened by {@link OpenVinoBackend#open(NetworkRequest, OpenVinoOptions, OpenVinoRuntime)}.
   */
  static AdaptedNetworks openVino(OpenVinoRuntime runtime, Path dir, OpenVinoOptions options) throws IOException {
    ModelFolder folder = ModelFolder.open(dir, OpenVinoBackend.FORMATS);
    Map<ModelComponent, String> devices = new EnumMap<>(ModelComponent.class);
    for (ModelComponent c : ModelComponent.values()) {
      if (folder.has(c)) {
        devices.put(c, options.deviceFor(c).name());
      }
    }
    NetworkRequest request = new NetworkRequest(folder, devices, BackendOptions.DEFAULTS);
    return adapt(OpenVinoBackend.open(request, options, runtime), folder);
  }

  /** The networks of {@code dir} on ONNX Runtime (CPU, default options). */
  static AdaptedNetworks onnx(Path dir) throws IOException {
    return adapt(OnnxBackend.open(dir), ModelFolder.openOnnx(dir));
  }

  /** Adapts the networks of {@code set}, taking ownership of it (closing it when an adaptation fails). */
  static AdaptedNetworks adapt(NetworkSet set, ModelFolder folder) {
    try {
      NetworkTextEncoder te = new NetworkTextEncoder(set.get(ModelComponent.TEXT_ENCODER).orElseThrow());
      NetworkUNet unet = new NetworkUNet(set.get(ModelComponent.UNET).orElseThrow(), Parameterization.EPS,
          folder.unetInChannels());
      NetworkFirstStage vae = new NetworkFirstStage(set.get(ModelComponent.VAE_DECODER).orElseThrow(),
          set.get(ModelComponent.VAE_ENCODER), folder.scalingFactor());
      return new AdaptedNetworks(set, te, unet, vae);
    } catch (RuntimeException e) {
      try {
        set.close();
      } catch (RuntimeException f) {
        e.addSuppressed(f);
      }
      throw e;
    }
  }

  /** The UNet's network as the openvino backend opened it (compile counts, cached shapes). */
  OvNetwork ovUnet() {
    return (OvNetwork) unet.network();
  }

  @Override
  public void close() {
    set.close();
  }
}
