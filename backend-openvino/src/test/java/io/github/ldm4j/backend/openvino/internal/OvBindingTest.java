package io.github.ldm4j.backend.openvino.internal;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.backend.openvino.OpenVinoException;
import io.github.ldm4j.backend.openvino.OpenVinoRuntime;
import io.github.ldm4j.backend.openvino.emulator.OvEmulator;
import io.github.ldm4j.backend.openvino.emulator.TinyGraphs;
import io.github.ldm4j.export.onnx.OnnxModelWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every downcall of the binding against the emulator, which checks ownership and fails on leaks. */
class OvBindingTest {

  @TempDir Path dir;

  private OvEmulator emulator;
  private OvApi api;

  @BeforeEach
  void setUp() {
    emulator = new OvEmulator(List.of("CPU", "GPU.0"));
    api = emulator.runtime().api();
  }

  @AfterEach
  void tearDown() {
    emulator.close();
  }

  private OvModel affine(OvCore core) {
    return core.readModel(TinyGraphs.writeAffine(dir.resolve("affine.onnx")), Optional.empty());
  }

  @Test
  void versionAndDevices() {
    OpenVinoRuntime rt = emulator.runtime();
    assertThat(rt.version()).isEqualTo("2024.6.0-emulator");
    assertThat(rt.availableDevices()).containsExactly("CPU", "GPU.0");
    assertThat(emulator.live()).isEmpty();
  }

  @Test
  void readsPortsWithPartialShapes() {
    try (OvCore core = OvCore.create(api); OvModel model = affine(core)) {
      assertThat(model.inputs()).containsExactly(
          new OvPortInfo(0, "x", OvElementType.F32, new PartialShape(false, new long[] {-1, 3})),
          new OvPortInfo(1, "t", OvElementType.I64, new PartialShape(false, new long[] {-1})));
      assertThat(model.outputs()).extracting(OvPortInfo::name).containsExactly("y", "z");
      assertThat(model.outputs().get(1).shape().isStatic()).isFalse();
      assertThat(model.isDynamic()).isTrue();
    }
    assertThat(emulator.live()).isEmpty();
    assertThat(emulator.frees()).isEqualTo(emulator.allocations());
  }

  @Test
  void reshapeMakesEverythingStatic() {
    try (OvCore core = OvCore.create(api); OvModel model = affine(core)) {
      Map<String, PartialShape> shapes = new LinkedHashMap<>();
      shapes.put("x", PartialShape.of(2, 3));
      shapes.put("t", PartialShape.of(2));
      model.reshape(shapes);
      assertThat(model.isDynamic()).isFalse();
      assertThat(model.inputs().get(0).shape()).isEqualTo(PartialShape.of(2, 3));
      assertThat(model.outputs()).extracting(OvPortInfo::shape).containsExactly(PartialShape.of(2, 3), PartialShape.of(2));
      assertThatThrownBy(() -> model.reshape(Map.of("x", PartialShape.of(2, 4))))
          .isInstanceOf(OpenVinoException.class)
          .hasMessageContaining("ov_model_reshape failed with GENERAL_ERROR (-1)")
          .hasMessageContaining("dimension 1 is 3");
    }
  }

  @Test
  void compilesWithVariadicPropertiesAndInfersZeroCopy() {
    try (OvCore core = OvCore.create(api); OvModel model = affine(core)) {
      model.reshape(Map.of("x", PartialShape.of(2, 3), "t", PartialShape.of(2)));
      Map<String, String> props = new LinkedHashMap<>();
      props.put("PERFORMANCE_HINT", "LATENCY");
      props.put("INFERENCE_PRECISION_HINT", "f32");
      props.put("INFERENCE_NUM_THREADS", "2");
      props.put("CACHE_DIR", dir.resolve("cache").toString());
      try (OvCompiledModel compiled = core.compile(model, "GPU", props);
          OvInferRequest request = compiled.createInferRequest();
          Arena arena = Arena.ofConfined()) {
        OvEmulator.CompileCall call = emulator.compiles().getFirst();
        assertThat(call.device()).isEqualTo("GPU");
        assertThat(call.properties()).isEqualTo(props);
        assertThat(compiled.inputs()).extracting(OvPortInfo::shape).containsExactly(PartialShape.of(2, 3), PartialShape.of(2));
        MemorySegment x = arena.allocateFrom(JAVA_FLOAT, 1, 2, 3, 4, 5, 6);
        MemorySegment t = arena.allocateFrom(JAVA_LONG, 10, 20);
        MemorySegment y = arena.allocate(JAVA_FLOAT, 6);
        try (OvTensor xt = OvTensor.wrap(api, OvElementType.F32, new long[] {2, 3}, x);
            OvTensor tt = OvTensor.wrap(api, OvElementType.I64, new long[] {2}, t);
            OvTensor yt = OvTensor.wrap(api, OvElementType.F32, new long[] {2, 3}, y)) {
          request.setInputTensor(0, xt);
          request.setTensor("t", tt);
          request.setOutputTensor(0, yt);
        }
        request.infer();
        assertThat(y.toArray(JAVA_FLOAT)).containsExactly(3, 5, 7, 9, 11, 13);
        try (OvTensor z = request.outputTensor(1)) {
          assertThat(z.shape()).containsExactly(2);
          assertThat(z.elementType()).isEqualTo(OvElementType.F32);
          assertThat(z.data().toArray(JAVA_FLOAT)).containsExactly(16, 35);
        }
        assertThat(emulator.hostPointers()).contains(x.address(), t.address(), y.address());
      }
    }
    assertThat(emulator.live()).isEmpty();
  }

  @Test
  void asyncInferenceAndAllocatedTensors() {
    try (OvCore core = OvCore.create(api); OvModel model = affine(core);
        OvCompiledModel compiled = core.compile(model, "CPU", Map.of());
        OvInferRequest request = compiled.createInferRequest()) {
      try (OvTensor x = OvTensor.allocate(api, OvElementType.F32, new long[] {1, 3});
          OvTensor t = OvTensor.allocate(api, OvElementType.I64, new long[] {1})) {
        MemorySegment xd = x.data();
        xd.copyFrom(MemorySegment.ofArray(new float[] {0.5f, -1, 2}));
        t.data().set(JAVA_LONG, 0, 7);
        assertThat(x.shape()).containsExactly(1, 3);
        request.setTensor("x", x);
        request.setInputTensor(1, t);
      }
      request.startAsync();
      request.await();
      try (OvTensor y = request.outputTensor(0); OvTensor z = request.outputTensor(1)) {
        assertThat(y.data().toArray(JAVA_FLOAT)).containsExactly(2, -1, 5);
        assertThat(z.data().toArray(JAVA_FLOAT)).containsExactly(8.5f);
      }
    }
  }

  @Test
  void readsModelsFromMemory() {
    byte[] onnx = OnnxModelWriter.toBytes(TinyGraphs.affine());
    try (OvCore core = OvCore.create(api); OvModel model = core.readModel(onnx, Optional.empty(), "affine (memory)")) {
      assertThat(model.inputs()).extracting(OvPortInfo::name).containsExactly("x", "t");
    }
  }

  @Test
  void failuresCarryTheStatusAndTheRuntimeMessage() {
    try (OvCore core = OvCore.create(api); OvModel model = affine(core);
        OvCompiledModel compiled = core.compile(model, "CPU", Map.of());
        OvInferRequest request = compiled.createInferRequest();
        OvTensor x = OvTensor.allocate(api, OvElementType.F32, new long[] {1, 3})) {
      assertThatThrownBy(() -> request.setTensor("nope", x))
          .isInstanceOfSatisfying(OpenVinoException.class, e -> {
            assertThat(e.status()).isEqualTo(OvStatus.GENERAL_ERROR);
            assertThat(e.function()).isEqualTo("ov_infer_request_set_tensor");
            assertThat(e.runtimeMessage()).contains("Port for tensor name nope was not found");
          });
      assertThatThrownBy(() -> request.setInputTensor(1, x))
          .hasMessageContaining("element type");
      assertThatThrownBy(() -> core.compile(model, "TPU", Map.of()))
          .hasMessageContaining("ov_core_compile_model failed with GENERAL_ERROR")
          .hasMessageContaining("Device with \"TPU\" name is not registered");
      assertThatThrownBy(() -> core.compile(model, "CPU", Map.of("NOT_A_KEY", "1")))
          .hasMessageContaining("Unsupported property NOT_A_KEY by CPU plugin");
      assertThatThrownBy(() -> core.readModel(dir.resolve("missing.onnx"), Optional.empty()))
          .hasMessageContaining("ov_core_read_model").hasMessageContaining("missing.onnx");
      assertThatThrownBy(request::infer).hasMessageContaining("input x has a dynamic shape and was never set");
    }
  }

  @Test
  void everyStatusIsNamedWithItsMessage() {
    for (OvStatus s : OvStatus.values()) {
      if (s == OvStatus.OK) {
        continue;
      }
      emulator.failNext("ov_core_create", s.code(), "injected " + s);
      assertThatThrownBy(() -> OvCore.create(api))
          .isInstanceOfSatisfying(OpenVinoException.class, e -> {
            assertThat(e.status()).isEqualTo(s);
            assertThat(e.getMessage()).isEqualTo("ov_core_create failed with " + s.name() + " (" + s.code() + "): injected " + s);
          });
    }
    emulator.failNext("ov_core_create", -99, "odd");
    assertThatThrownBy(() -> OvCore.create(api)).hasMessageContaining("status -99 (unknown");
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() {
    OvCore core = OvCore.create(api);
    core.close();
    core.close();
    assertThat(core.isClosed()).isTrue();
    assertThatThrownBy(core::availableDevices).isInstanceOf(IllegalStateException.class).hasMessageContaining("freed");
    assertThat(emulator.frees()).isEqualTo(1);
  }

  @Test
  void missingFunctionsAreNamed() {
    assertThatThrownBy(() -> OpenVinoRuntime.of(emulator.lookupWithout("ov_get_last_err_msg", "ov_model_reshape"), "old"))
        .isInstanceOfSatisfying(OvApi.MissingSymbolsException.class,
            e -> assertThat(e.missing()).containsExactly("ov_model_reshape", "ov_get_last_err_msg"))
        .hasMessageContaining("old lacks 2 function(s)")
        .hasMessageContaining("OpenVINO 2024.0 or newer");
  }
}
