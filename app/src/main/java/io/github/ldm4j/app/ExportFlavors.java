package io.github.ldm4j.app;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.NetworkDescription;
import io.github.ldm4j.spi.contract.PortType;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.spi.contract.TextEncoderContract;
import io.github.ldm4j.spi.contract.TimestepForm;
import io.github.ldm4j.spi.contract.UNetContract;
import io.github.ldm4j.spi.contract.VaeContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The export flavor of a model folder, read from its networks' tensor contracts (reference facts
 * §4): {@code legacy} (diffusers script: int32 {@code input_ids}, float {@code timestep [B]},
 * encoder {@code latent_sample}), {@code optimum} (int64 ids, float scalar timestep, encoder {@code
 * latent_parameters}), {@code openvino} (int64 ids, int64 {@code timestep [B]}), else {@code other};
 * plus precision, conditioning key, channels and the text encoder's shape.
 */
final class ExportFlavors {

  private ExportFlavors() {}

  /** The flavor facts of {@code networks}, each contract that cannot be read reported under {@code unsupported}. */
  static ObjectNode describe(List<NetworkDescription> networks, OptionalInt configInChannels) {
    ObjectNode f = JsonNodeFactory.instance.objectNode();
    ObjectNode unsupported = JsonNodeFactory.instance.objectNode();
    Optional<TextEncoderContract> text = Optional.empty();
    Optional<UNetContract> unet = Optional.empty();
    Optional<VaeContract> encoder = Optional.empty();
    for (NetworkDescription n : networks) {
      String what = n.component().folderName();
      try {
        switch (n.component()) {
          case TEXT_ENCODER -> text = Optional.of(TextEncoderContract.resolve(what, byName(n.inputs()), byName(n.outputs())));
          case UNET -> unet = Optional.of(UNetContract.resolve(what, byName(n.inputs()), byName(n.outputs()), configInChannels));
          case VAE_DECODER -> VaeContract.decoder(what, byName(n.inputs()), byName(n.outputs()));
          case VAE_ENCODER -> encoder = Optional.of(VaeContract.encoder(what, byName(n.inputs()), byName(n.outputs())));
        }
      } catch (IllegalArgumentException e) {
        unsupported.put(what, e.getMessage());
      }
    }
    f.put("export", export(text, unet, encoder, networks));
    unet.ifPresent(u -> {
      f.put("precision", u.sample().type() == PortType.FLOAT16 ? "float16" : "float32");
      f.put("timestep", u.timestepForm().name().toLowerCase(Locale.ROOT));
      f.put("conditioningKey", u.conditioningKey().name().toLowerCase(Locale.ROOT));
      f.put("unetInChannels", u.inChannels());
      f.put("unetOutChannels", u.outChannels());
      f.put("inpainting", u.inChannels() > u.outChannels());
    });
    text.ifPresent(t -> {
      f.put("inputIds", t.ids().type().name().toLowerCase(Locale.ROOT));
      f.put("maxLength", t.maxLength());
      f.put("hiddenSize", t.hiddenSize());
      f.put("hiddenStates", !t.hiddenStates().isEmpty());
    });
    encoder.ifPresent(e -> f.put("vaeEncoderOutput", e.output().name()));
    if (!unsupported.isEmpty()) {
      f.set("unsupported", unsupported);
    }
    return f;
  }

  private static String export(Optional<TextEncoderContract> text, Optional<UNetContract> unet,
      Optional<VaeContract> encoder, List<NetworkDescription> networks) {
    if (text.isEmpty() || unet.isEmpty()) {
      return "other";
    }
    PortType ids = text.get().ids().type();
    TimestepForm t = unet.get().timestepForm();
    boolean hasEncoder = networks.stream().anyMatch(n -> n.component() == ModelComponent.VAE_ENCODER);
    Optional<Boolean> moments = encoder.map(VaeContract::moments);
    if (ids == PortType.INT32 && t == TimestepForm.FLOAT_VECTOR && moments.orElse(false) == Boolean.FALSE) {
      return "legacy";
    }
    if (ids == PortType.INT64 && t == TimestepForm.FLOAT_SCALAR && (!hasEncoder || moments.orElse(false))) {
      return "optimum";
    }
    if (ids == PortType.INT64 && t == TimestepForm.INT64_VECTOR && (!hasEncoder || moments.orElse(false))) {
      return "openvino";
    }
    return "other";
  }

  private static Map<String, TensorPort> byName(List<TensorPort> ports) {
    Map<String, TensorPort> m = new LinkedHashMap<>();
    ports.forEach(p -> m.put(p.name(), p));
    return m;
  }
}
