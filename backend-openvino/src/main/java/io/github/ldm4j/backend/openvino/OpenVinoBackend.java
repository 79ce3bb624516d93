package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.OvCore;
import io.github.ldm4j.backend.openvino.internal.OvModel;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.backend.openvino.internal.SharedCore;
import io.github.ldm4j.conditioning.clip.ClipTokenizer;
import io.github.ldm4j.conditioning.text.ClipCondStage;
import io.github.ldm4j.conditioning.text.TextConditioningOptions;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.Denoiser;
import io.github.ldm4j.samplers.diffusers.TrainingSetup;
import io.github.ldm4j.spi.ModelComponents;
import io.github.ldm4j.spi.NetworkDescription;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * Opens a model folder on OpenVINO as {@link ModelComponents}: the optimum-intel IR layout ({@code
 * <component>/openvino_model.xml} + {@code .bin}) or the ONNX layout (OpenVINO reads ONNX itself),
 * with the same scheduler, tokenizer and VAE-config handling as every backend ({@link
 * TrainingSetup}, {@link ClipTokenizer#forModel}, {@link ModelFolder}).
 */
public final class OpenVinoBackend {

  private OpenVinoBackend() {}

  /** The network formats this backend reads; IR is preferred where a component has both. */
  public static final EnumSet<ModelFolder.Format> FORMATS =
      EnumSet.of(ModelFolder.Format.OPENVINO_IR, ModelFolder.Format.ONNX);

  /**
   * Opens {@code modelDir} with {@code runtime}. The caller owns the result and must close it.
   *
   * @throws IOException naming the missing, unreadable or corrupt file
   * @throws IllegalArgumentException for an unavailable device, an unsupported contract or a
   *     scheduler config that cannot be reproduced
   */
  public static ModelComponents open(Path modelDir, OpenVinoOptions options, OpenVinoRuntime runtime) throws IOException {
    ModelFolder folder = ModelFolder.open(modelDir, FORMATS);
    TrainingSetup training = TrainingSetup.of(folder);
    ClipTokenizer tokenizer = ClipTokenizer.forModel(folder);
    OpenVinoNetworks nets = OpenVinoNetworks.open(runtime, folder, options, training.parameterization());
    try {
      ClipCondStage condStage = new ClipCondStage(tokenizer, nets.textEncoder(), TextConditioningOptions.defaults());
      return new ModelComponents(nets.firstStage(), condStage, Denoiser.of(nets.unet()), training.schedule(),
          folder.name(), folder.schedulerConfig());
    } catch (RuntimeException e) {
      nets.close();
      throw e;
    }
  }

  /**
   * Opens {@code modelDir} with the process-wide runtime ({@link OpenVinoRuntime#shared()}).
   *
   * @throws IllegalStateException when OpenVINO is not installed (the message says how to install it)
   */
  public static ModelComponents open(Path modelDir, OpenVinoOptions options) throws IOException {
    return open(modelDir, options, OpenVinoRuntime.shared());
  }

  /** Opens with default options (CPU, static shapes). */
  public static ModelComponents open(Path modelDir) throws IOException {
    return open(modelDir, OpenVinoOptions.DEFAULTS);
  }

  /**
   * The networks of {@code modelDir} as OpenVINO reads them (IR preferred over ONNX per component):
   * each one's declared inputs and outputs, without compiling anything. Every model read is freed
   * before this returns.
   *
   * @throws IOException naming the missing or unreadable file
   */
  public static List<NetworkDescription> describe(Path modelDir, OpenVinoRuntime runtime) throws IOException {
    ModelFolder folder = ModelFolder.open(modelDir, FORMATS);
    List<NetworkDescription> out = new ArrayList<>();
    try (SharedCore core = new SharedCore(OvCore.create(runtime.api()))) {
      for (ModelComponent c : ModelComponent.values()) {
        if (!folder.has(c)) {
          continue;
        }
        Path file = OpenVinoNetworks.networkFile(folder, c);
        try (OvModel model = core.core().readModel(file, Optional.empty())) {
          out.add(new NetworkDescription(c, file, List.copyOf(OvNetwork.contract(model.inputs()).values()),
              List.copyOf(OvNetwork.contract(model.outputs()).values())));
        } catch (OpenVinoException e) {
          throw new IOException("OpenVINO cannot read " + c.folderName() + " from " + file + ": " + e.getMessage(), e);
        }
      }
    }
    return out;
  }
}
