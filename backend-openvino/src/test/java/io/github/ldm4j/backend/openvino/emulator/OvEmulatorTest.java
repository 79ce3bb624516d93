package io.github.ldm4j.backend.openvino.emulator;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/** The emulator's own accounting: it must catch what the binding must never do. */
@SuppressWarnings("restricted")
class OvEmulatorTest {

  private static MethodHandle handle(OvEmulator e, String name, FunctionDescriptor fd) {
    return Linker.nativeLinker().downcallHandle(e.lookup().find(name).orElseThrow(), fd);
  }

  @Test
  void aLeakFailsClose() throws Throwable {
    OvEmulator e = new OvEmulator();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      int status = (int) handle(e, "ov_core_create", FunctionDescriptor.of(JAVA_INT, ADDRESS)).invokeExact(out);
      assertThat(status).isZero();
    }
    assertThatThrownBy(e::close).isInstanceOf(AssertionError.class).hasMessageContaining("leak: 1 x ov_core_t never freed");
  }

  @Test
  void doubleFreeAndWrongFreeAreViolations() throws Throwable {
    OvEmulator e = new OvEmulator();
    MethodHandle create = handle(e, "ov_core_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    MethodHandle free = handle(e, "ov_core_free", FunctionDescriptor.ofVoid(ADDRESS));
    MethodHandle modelFree = handle(e, "ov_model_free", FunctionDescriptor.ofVoid(ADDRESS));
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      int status = (int) create.invokeExact(out);
      assertThat(status).isZero();
      MemorySegment core = out.get(ADDRESS, 0);
      modelFree.invokeExact(core);
      free.invokeExact(core);
      free.invokeExact(core);
      free.invokeExact(MemorySegment.NULL);
    }
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems().get(0)).contains("a ov_core_t freed with the free function of ov_model_t");
    assertThat(e.problems().get(1)).contains("double free of ov_core_t");
    assertThatThrownBy(e::close).isInstanceOf(AssertionError.class);
  }

  @Test
  void nullArgumentsAreInvalidWithoutAMessage() throws Throwable {
    try (OvEmulator e = new OvEmulator()) {
      int status = (int) handle(e, "ov_core_create", FunctionDescriptor.of(JAVA_INT, ADDRESS)).invokeExact(MemorySegment.NULL);
      assertThat(status).isEqualTo(-14);
      MemorySegment msg = (MemorySegment) handle(e, "ov_get_last_err_msg", FunctionDescriptor.of(ADDRESS)).invokeExact();
      assertThat(msg).isEqualTo(MemorySegment.NULL);
    }
  }
}
