package io.github.ldm4j.backend.openvino;

import static io.github.ldm4j.backend.openvino.OpenVinoConformance.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.backend.onnx.OnnxBackend;
import io.github.ldm4j.backend.onnx.OnnxOptions;
import io.github.ldm4j.backend.openvino.emulator.OvEmulator;
import io.github.ldm4j.export.folder.ExportFlavor;
import io.github.ldm4j.export.folder.Precision;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.generate.GenerationLimits;
import io.github.ldm4j.generate.Generator;
import io.github.ldm4j.generate.ModelAssembler;
import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.spi.BackendOptions;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.NetworkRequest;
import io.github.ldm4j.spi.NetworkSet;
import io.github.ldm4j.spi.Placement;
import io.github.ldm4j.spi.contract.NetworkFirstStage;
import io.github.ldm4j.spi.contract.NetworkUNet;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only the emulator can observe: the exact shapes compiled, the host pointers handed over, the
 * devices and properties each compile received, the blob cache, the NPU's refusal of dynamic
 * shapes, the IR layout, and that every handle is freed when (and not before) it should be.
 */
class EmulatedOpenVinoBackendTest {

  private OvEmulator emulator;

  @BeforeEach
  void setUp() {
    emulator = new OvEmulator(List.of("CPU", "GPU.0", "NPU"));
  }

  @AfterEach
  void tearDown() {
    emulator.close();
  }

  private AdaptedNetworks openVino(Path dir, OpenVinoOptions options) throws IOException {
    return AdaptedNetworks.openVino(emulator.runtime(), dir, options);
  }

  @Test
  void describeReadsEveryNetworkWithoutCompilingAndMatchesOnnxRuntime() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32);
    ModelFolder folder = ModelFolder.open(dir, OpenVinoBackend.FORMATS);
    List<NetworkDescription> ov = new ArrayList<>();
    List<NetworkDescription> ort = new ArrayList<>();
    for (ModelComponent c : ModelComponent.values()) {
      if (folder.has(c)) {
        ov.add(OpenVinoBackend.describe(folder, c, emulator.runtime()));
        ort.add(OnnxBackend.describe(folder, c, OnnxOptions.DEFAULTS));
      }
    }
    assertThat(ov).hasSize(4);
    assertThat(ov).extracting(NetworkDescription::component).containsExactlyElementsOf(
        ort.stream().map(NetworkDescription::component).toList());
    for (int i = 0; i < ov.size(); i++) {
      assertThat(ports(ov.get(i).inputs())).as("inputs of %s", ov.get(i).component())
          .isEqualTo(ports(ort.get(i).inputs()));
      assertThat(ports(ov.get(i).outputs())).as("outputs of %s", ov.get(i).component())
          .isEqualTo(ports(ort.get(i).outputs()));
    }
    assertThat(ov.stream().filter(d -> d.component() == ModelComponent.UNET).findFirst().orElseThrow().inputs())
        .extracting(TensorPort::name).contains("sample", "timestep", "encoder_hidden_states");
    assertThat(emulator.compiles()).isEmpty();
    assertThat(emulator.live()).isEmpty();
  }

  private static List<String> ports(List<TensorPort> ports) {
    return ports.stream().map(p -> p.name() + ":" + p.type() + java.util.Arrays.toString(p.shape())).toList();
  }

  @Test
  void staticReshapesReachTheRuntimeAndEvictedModelsAreFreed() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.LEGACY, Precision.FP32);
    try (AdaptedNetworks ov = openVino(dir, OpenVinoOptions.DEFAULTS.withCompiledShapes(2))) {
      OpenVinoConformance.compileCacheScenario(ov);
      List<String> unetShapes = emulator.compiles().stream()
          .filter(c -> c.inputShapes().toString().contains("encoder_hidden_states"))
          .map(c -> c.inputShapes().getFirst()).toList();
      assertThat(unetShapes).containsExactly("sample[1, 4, 8, 8]", "sample[2, 4, 8, 8]", "sample[1, 4, 16, 16]",
          "sample[1, 4, 8, 8]");
      // evicted compiled models and their requests are freed at once (none is in use)
      assertThat(emulator.live().get("ov_compiled_model_t")).isEqualTo(2);
    }
    assertThat(emulator.live()).isEmpty();
  }

  @Test
  void inputsAndStaticOutputsAreZeroCopy() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32);
    try (AdaptedNetworks ov = openVino(dir, OpenVinoOptions.DEFAULTS)) {
      Tensor x = random(9, 1, 4, 8, 8);
      Tensor ctx = random(10, 1, 77, 32);
      Tensor out = ov.unet().forward(x, Tensor.of(new float[] {3}, 1), Optional.of(ctx));
      assertThat(emulator.hostPointers()).contains(x.segment().address(), ctx.segment().address(), out.segment().address());
    }
  }

  @Test
  void readsTheOpenVinoIrLayout() throws Exception {
    Path onnxDir = TestModels.tinySd(ExportFlavor.OPENVINO, Precision.FP32);
    Path irDir = TestModels.asEmulatedIr(onnxDir);
    assertThat(OpenVinoBackend.networkFile(ModelFolder.open(irDir, OpenVinoBackend.FORMATS), ModelComponent.UNET))
        .hasFileName("openvino_model.xml");
    try (AdaptedNetworks fromIr = openVino(irDir, OpenVinoOptions.DEFAULTS);
        AdaptedNetworks fromOnnx = openVino(onnxDir, OpenVinoOptions.DEFAULTS)) {
      assertThat(fromIr.unet().network().what()).contains("openvino_model.xml");
      Tensor z = random(11, 1, 4, 8, 8);
      assertThat(fromIr.firstStage().decode(z).maxAbsDiff(fromOnnx.firstStage().decode(z))).isZero();
    }
  }

  /**
   * Devices, placement and properties reach {@code ov_core_compile_model} on both ways in: round 0
   * as a user configures a model (the assembler, {@code BackendOptions} device {@code gpu} with the
   * VAE decoder placed on {@code openvino:cpu} and 2 intra-op threads; the hints and cache from the
   * provider's base options), round 1 with {@link OpenVinoOptions} alone ({@link
   * OpenVinoBackend#open(Path, OpenVinoOptions)} on the installed runtime). Both compile the same
   * two networks with the same properties, so round 1 loads both blobs from the cache.
   */
  @Test
  void devicesPlacementAndPropertiesReachTheCompiler() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32);
    Path cache = Files.createTempDirectory("ov-cache");
    OpenVinoOptions base = OpenVinoOptions.DEFAULTS.withPerformanceHint(PerformanceHint.THROUGHPUT)
        .withInferencePrecision(InferencePrecision.F16).withCacheDir(cache);
    Tensor x = random(12, 1, 4, 8, 8);
    Tensor t = Tensor.of(new float[] {3}, 1);
    Tensor ctx = random(13, 1, 77, 32);
    Tensor z = random(14, 1, 4, 8, 8);

    BackendOptions user = new BackendOptions("gpu", 2, 0, false)
        .withPlacement(ModelComponent.VAE_DECODER, new Placement(OpenVinoBackendProvider.NAME, "cpu"));
    OpenVinoBackendProvider provider = new OpenVinoBackendProvider(emulator.runtime(), base);
    try (Generator g = ModelAssembler.open(dir, OpenVinoBackendProvider.NAME, user, GenerationLimits.DEFAULTS,
        name -> provider)) {
      g.model().denoiser().applyModel(x, t, Conditioning.crossAttn(ctx));
      g.model().firstStage().decode(z);
    }

    OpenVinoOptions options = base.withDevice(OpenVinoDevice.parse("gpu"))
        .withPlacement(ModelComponent.VAE_DECODER, OpenVinoDevice.CPU).withInferenceThreads(2);
    OpenVinoRuntime.install(emulator.runtime());
    try (AdaptedNetworks ov = AdaptedNetworks.adapt(OpenVinoBackend.open(dir, options),
        ModelFolder.open(dir, OpenVinoBackend.FORMATS))) {
      ov.unet().forward(x, t, Optional.of(ctx));
      ov.firstStage().decode(z);
    } finally {
      OpenVinoRuntime.install(null);
    }

    List<OvEmulator.CompileCall> calls = emulator.compiles();
    assertThat(calls).extracting(OvEmulator.CompileCall::device).containsExactly("GPU", "CPU", "GPU", "CPU");
    assertThat(calls.getFirst().properties()).containsEntry("PERFORMANCE_HINT", "THROUGHPUT")
        .containsEntry("INFERENCE_PRECISION_HINT", "f16").containsEntry("INFERENCE_NUM_THREADS", "2")
        .containsEntry("CACHE_DIR", cache.toAbsolutePath().toString());
    assertThat(calls).extracting(OvEmulator.CompileCall::properties).containsOnly(calls.getFirst().properties());
    assertThat(emulator.cacheHits()).isEqualTo(2);
  }

  @Test
  void theNpuNeedsStaticShapes() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32);
    OpenVinoOptions npu = OpenVinoOptions.DEFAULTS.withDevice(OpenVinoDevice.parse("NPU"));
    Tensor x = random(15, 1, 4, 8, 8);
    Tensor ctx = random(16, 1, 77, 32);
    try (AdaptedNetworks ov = openVino(dir, npu.withStaticShapes(false))) {
      assertThatThrownBy(() -> ov.unet().forward(x, Tensor.of(new float[] {3}, 1), Optional.of(ctx)))
          .isInstanceOf(OpenVinoException.class)
          .hasMessageContaining("ov_core_compile_model failed with GENERAL_ERROR")
          .hasMessageContaining("[NPU] dynamic shapes are not supported");
    }
    try (AdaptedNetworks ov = openVino(dir, npu)) {
      assertThat(ov.unet().forward(x, Tensor.of(new float[] {3}, 1), Optional.of(ctx)).allFinite()).isTrue();
    }
  }

  @Test
  void replacedWeightsAreRefusedClearly() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32);
    try (OvEmulator emulator = new OvEmulator(List.of("CPU"));
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      OpenVinoBackendProvider provider = new OpenVinoBackendProvider(emulator.runtime(), OpenVinoOptions.DEFAULTS);
      assertThat(provider.overridesWeights()).isFalse();
      io.github.ldm4j.spi.WeightOverrides overrides = new io.github.ldm4j.spi.WeightOverrides(Map.of(ModelComponent.UNET,
          List.of(new io.github.ldm4j.spi.WeightOverrides.Weight("w", io.github.ldm4j.spi.contract.PortType.FLOAT32,
              new long[] {2}, arena.allocate(8)))), null);
      ModelFolder folder = ModelFolder.open(dir, OpenVinoBackend.FORMATS);
      assertThatThrownBy(() -> provider.open(new NetworkRequest(folder, Map.of(ModelComponent.UNET, "cpu"),
          BackendOptions.DEFAULTS, overrides)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the openvino backend cannot replace a network's weights")
          .hasMessageContaining("converting the checkpoint with them merged");
      assertThat(emulator.compiles()).isEmpty();
    }
  }

  @Test
  void unavailableAndUnsupportedDevices() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32);
    try (OvEmulator cpuOnly = new OvEmulator(List.of("CPU"))) {
      assertThatThrownBy(() -> AdaptedNetworks.openVino(cpuOnly.runtime(), dir,
          OpenVinoOptions.DEFAULTS.withPlacement(ModelComponent.UNET, OpenVinoDevice.parse("GPU.1"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("OpenVINO device GPU.1 is not available here; OpenVINO reports [CPU]");
      try (AdaptedNetworks auto = AdaptedNetworks.openVino(cpuOnly.runtime(), dir,
          OpenVinoOptions.DEFAULTS.withDevice(OpenVinoDevice.parse("gpu").withCpuFallback()))) {
        auto.firstStage().decode(random(17, 1, 4, 8, 8));
      }
      assertThat(cpuOnly.compiles().getFirst().device()).isEqualTo("AUTO:GPU,CPU");

      // the same through the provider, as the assembler asks it: a device name and the fallback flag
      OpenVinoBackendProvider provider = new OpenVinoBackendProvider(cpuOnly.runtime(), OpenVinoOptions.DEFAULTS);
      ModelFolder folder = ModelFolder.open(dir, OpenVinoBackend.FORMATS);
      assertThatThrownBy(() -> provider.open(new NetworkRequest(folder, Map.of(ModelComponent.UNET, "gpu.1"),
          BackendOptions.DEFAULTS)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("OpenVINO device GPU.1 is not available here; OpenVINO reports [CPU]");
      try (NetworkSet set = provider.open(new NetworkRequest(folder, Map.of(ModelComponent.VAE_DECODER, "gpu"),
          new BackendOptions("gpu", 0, 0, true)))) {
        new NetworkFirstStage(set.get(ModelComponent.VAE_DECODER).orElseThrow(), Optional.empty(), folder.scalingFactor())
            .decode(random(17, 1, 4, 8, 8));
      }
      assertThat(cpuOnly.compiles()).extracting(OvEmulator.CompileCall::device)
          .containsExactly("AUTO:GPU,CPU", "AUTO:GPU,CPU");
      assertThat(cpuOnly.live()).isEmpty();
    }
    assertThatThrownBy(() -> OpenVinoDevice.parse("tpu"))
        .hasMessage("unsupported OpenVINO device 'TPU'; " + OpenVinoDevice.VALID);
    assertThatThrownBy(() -> OpenVinoDevice.parse("auto:gpu,fpga")).hasMessageContaining("unsupported OpenVINO device");
  }

  @Test
  void closingFreesEverythingOnce() throws Exception {
    Path dir = TestModels.tinySd(ExportFlavor.OPTIMUM, Precision.FP32);
    AdaptedNetworks ov = openVino(dir, OpenVinoOptions.DEFAULTS);
    ov.unet().forward(random(19, 1, 4, 8, 8), Tensor.of(new float[] {3}, 1), Optional.of(random(20, 1, 77, 32)));
    ov.textEncoder().close();
    assertThat(emulator.live()).containsKey("ov_core_t");
    ov.close();
    ov.close();
    assertThat(emulator.live()).isEmpty();
    assertThat(emulator.frees()).isEqualTo(emulator.allocations());
    assertThatThrownBy(() -> ov.firstStage().decode(random(21, 1, 4, 8, 8))).hasMessageContaining("closed");
  }
}
