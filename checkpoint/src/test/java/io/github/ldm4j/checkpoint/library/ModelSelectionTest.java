package io.github.ldm4j.checkpoint.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.checkpoint.lora.AppliedLora;
import io.github.ldm4j.conditioning.prompt.LoraTag;
import io.github.ldm4j.generate.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolution shared by the CLI and the HTTP APIs: tags to library LoRAs, the merged set, the provenance. */
class ModelSelectionTest {

  @TempDir Path dir;

  private ModelLibrary library() throws Exception {
    Files.createDirectories(dir.resolve("models/Lora/sub"));
    Files.write(dir.resolve("models/Lora/a.pt"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("models/Lora/sub/b.pt"), new byte[] {4});
    Files.write(dir.resolve("outside.pt"), new byte[] {5});
    return new ModelLibrary(ModelLibrary.folders(dir.resolve("models"), Map.of()), new FileHashes());
  }

  @Test
  void tagsResolveByNameInTheLoraFolderOnly() throws Exception {
    ModelLibrary lib = library();
    List<NamedLora> l = ModelSelection.resolveLoras(Optional.of(lib),
        List.of(new LoraTag("a", 0.5, 0.25), new LoraTag("b", 1, 1)), "hint");
    assertThat(l).extracting(NamedLora::name).containsExactly("a", "b");
    assertThat(l.get(0).lora()).isEqualTo(new AppliedLora(dir.resolve("models/Lora/a.pt"), 0.5, 0.25));
    assertThat(l.get(1).lora().file()).isEqualTo(dir.resolve("models/Lora/sub/b.pt").toAbsolutePath());

    String outside = dir.resolve("outside.pt").toString();
    assertThatThrownBy(() -> ModelSelection.resolveLoras(Optional.of(lib), List.of(new LoraTag(outside, 1, 1)), "hint"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<lora:" + outside + ">: invalid LoRA name");
    assertThatThrownBy(() -> ModelSelection.resolveLoras(Optional.of(lib), List.of(new LoraTag("../outside", 1, 1)), "hint"))
        .hasMessageContaining("invalid LoRA name");
    assertThatThrownBy(() -> ModelSelection.resolveLoras(Optional.of(lib), List.of(new LoraTag("c", 1, 1)), "hint"))
        .hasMessageContaining("<lora:c>: no LoRA 'c'").hasMessageContaining("a, sub/b");
    assertThatThrownBy(() -> ModelSelection.resolveLoras(Optional.empty(), List.of(new LoraTag("a", 1, 1)), "give --models-dir"))
        .hasMessage("<lora:a> needs a LoRA folder: give --models-dir");
  }

  @Test
  void loraSetLeavesOutLorasAtZeroAndProvenanceNamesThemAll() throws Exception {
    ModelLibrary lib = library();
    Path ckpt = Files.write(dir.resolve("m.safetensors"), new byte[] {9, 9});
    List<NamedLora> l = ModelSelection.resolveLoras(Optional.of(lib),
        List.of(new LoraTag("a", 0, 0), new LoraTag("b", 0, 1)), "hint");
    ModelSelection s = new ModelSelection(ckpt, Optional.empty(), l);
    assertThat(s.loraSet().loras()).extracting(AppliedLora::file).containsExactly(l.get(1).lora().file());

    Provenance p = s.provenance("x <lora:a:0> <lora:b:0:1>", "n", new FileHashes());
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertThat(p.modelHash()).contains(HexFormat.of().formatHex(sha.digest(new byte[] {9, 9})).substring(0, 10));
    assertThat(p.model()).contains("m");
    assertThat(p.loraHashes()).containsOnlyKeys("a", "b")
        .containsEntry("a", HexFormat.of().formatHex(sha.digest(new byte[] {1, 2, 3})).substring(0, 12));
    assertThat(p.prompt()).isEqualTo("x <lora:a:0> <lora:b:0:1>");
  }

  @Test
  void lorasOrAVaeNeedACheckpointFile() throws Exception {
    ModelLibrary lib = library();
    Path folder = Files.createDirectories(dir.resolve("onnx-model"));
    List<NamedLora> l = ModelSelection.resolveLoras(Optional.of(lib), List.of(new LoraTag("a", 1, 1)), "hint");
    assertThatThrownBy(() -> new ModelSelection(folder, Optional.empty(), l))
        .hasMessageContaining("LoRAs are merged into a checkpoint's weights").hasMessageContaining("is a model folder");
    assertThatThrownBy(() -> new ModelSelection(folder, Optional.of(dir.resolve("v.pt")), List.of()))
        .hasMessageContaining("a separate VAE is merged");
    assertThat(ModelSelection.of(folder).provenance("p", "", new FileHashes()).modelHash()).isEmpty();
  }

  @Test
  void lorasMayNameAFolderLdm4jConverted() throws Exception {
    ModelLibrary lib = library();
    Path folder = dir.resolve("converted");
    for (String c : List.of("text_encoder", "unet")) {
      Files.createDirectories(folder.resolve(c));
      Files.writeString(folder.resolve(c).resolve("config.json"), "{\"" + io.github.ldm4j.export.folder.ComponentConfigs.FAMILY_KEY
          + "\": \"" + io.github.ldm4j.checkpoint.sd.SdFolderExport.FAMILY + "\"}");
    }
    List<NamedLora> l = ModelSelection.resolveLoras(Optional.of(lib), List.of(new LoraTag("a", 1, 1)), "hint");
    assertThat(new ModelSelection(folder, Optional.empty(), l).loraSet().loras()).hasSize(1);
    assertThatThrownBy(() -> new ModelSelection(folder, Optional.of(dir.resolve("v.pt")), l))
        .hasMessageContaining("a separate VAE is merged");
  }
}
