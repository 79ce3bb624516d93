package io.github.ldm4j.backend.openvino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.backend.openvino.internal.OvApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery order, messages, and what happens with a library that is not (a current) OpenVINO. */
class OpenVinoLocatorTest {

  @TempDir Path dir;

  private static OpenVinoLocator locator(Map<String, String> props, Map<String, String> env, List<Path> opt, List<Path> sys) {
    return new OpenVinoLocator(props::get, env::get, opt, sys);
  }

  private Path lib(Path folder, String name) throws Exception {
    Files.createDirectories(folder);
    return Files.writeString(folder.resolve(name), "not really a library");
  }

  @Test
  void propertyThenEnvironmentThenStandardFolders() throws Exception {
    Path a = lib(dir.resolve("a"), "libopenvino_c.so");
    Path b = lib(dir.resolve("b"), "libopenvino_c.so");
    Path apt = lib(dir.resolve("usr/lib/x86_64-linux-gnu"), "libopenvino_c.so.2024.6.0");
    Path opt = dir.resolve("opt/intel");
    Path older = lib(opt.resolve("openvino_2024.1.0/runtime/lib/intel64"), "libopenvino_c.so");
    Path newer = lib(opt.resolve("openvino_2024.6.0/runtime/lib/intel64"), "libopenvino_c.so");
    List<Path> sys = List.of(dir.resolve("usr/lib/x86_64-linux-gnu"));
    assertThat(locator(Map.of(OpenVinoLocator.PROPERTY, a.toString()), Map.of(OpenVinoLocator.ENV, b.toString()),
        List.of(opt), sys).locate().library()).contains(a);
    assertThat(locator(Map.of(), Map.of(OpenVinoLocator.ENV, b.getParent().toString()), List.of(opt), sys)
        .locate().library()).contains(b.toAbsolutePath());
    assertThat(locator(Map.of(), Map.of(), List.of(opt), sys).locate().library()).contains(newer);
    assertThat(older).exists();
    assertThat(locator(Map.of(), Map.of(), List.of(dir.resolve("nothing")), sys).locate().library()).contains(apt);
    Path ld = lib(dir.resolve("ld"), "libopenvino_c.so");
    assertThat(locator(Map.of(), Map.of("LD_LIBRARY_PATH", dir.resolve("x") + ":" + ld.getParent()), List.of(), List.of())
        .locate().library()).contains(ld);
  }

  @Test
  void notFoundListsEveryPlaceAndHowToInstall() {
    OpenVinoLocator.Location where = locator(Map.of(), Map.of(), List.of(dir.resolve("opt/intel")),
        List.of(dir.resolve("usr/lib"))).locate();
    assertThat(where.library()).isEmpty();
    assertThat(where.tried()).containsExactly(
        "-D" + OpenVinoLocator.PROPERTY + " (not set)", OpenVinoLocator.ENV + " (not set)", "LD_LIBRARY_PATH (not set)",
        dir.resolve("opt/intel/openvino*/runtime/lib/intel64") + " (no such folder)",
        dir.resolve("usr/lib") + " (no such folder)");
    assertThat(where.notFoundMessage())
        .startsWith("OpenVINO's C library (libopenvino_c.so) was not found; tried: -Dldm4j.openvino.library (not set); ")
        .contains("apt repository", "/opt/intel/openvino_2024", "pip install openvino");
  }

  @Test
  void anExplicitPathThatDoesNotResolveStopsTheSearch() throws Exception {
    lib(dir.resolve("usr/lib"), "libopenvino_c.so");
    OpenVinoLocator.Location where = locator(Map.of(OpenVinoLocator.PROPERTY, dir.resolve("typo.so").toString()),
        Map.of(), List.of(), List.of(dir.resolve("usr/lib"))).locate();
    assertThat(where.library()).isEmpty();
    assertThat(where.tried().getLast()).endsWith("typo.so (does not exist)");
  }

  @Test
  void aFileThatIsNotALibraryCannotBeLoaded() throws Exception {
    Path fake = lib(dir, "libopenvino_c.so");
    assertThatThrownBy(() -> OpenVinoRuntime.load(fake))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot load the OpenVINO C library " + fake)
        .hasMessageContaining("Install the OpenVINO runtime");
  }

  @Test
  void aLibraryThatIsNotOpenVinoLacksEveryFunction() {
    Path libc = Path.of("/lib/x86_64-linux-gnu/libc.so.6");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(libc), "needs glibc at " + libc);
    assertThatThrownBy(() -> OpenVinoRuntime.load(libc))
        .isInstanceOfSatisfying(OvApi.MissingSymbolsException.class,
            e -> assertThat(e.missing()).contains("ov_core_create", "ov_core_compile_model", "ov_get_last_err_msg"))
        .hasMessageContaining("OpenVINO 2024.0 or newer");
  }
}
