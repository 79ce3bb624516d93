package io.github.ldm4j.backend.openvino;

import io.github.ldm4j.backend.openvino.internal.Feed;
import io.github.ldm4j.backend.openvino.internal.OvNetwork;
import io.github.ldm4j.spi.contract.NetworkFirstStage;
import io.github.ldm4j.spi.contract.VaeContract;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The VAE on OpenVINO: {@code vae_decoder} and, when present, {@code vae_encoder} ({@link
 * VaeContract}). With static shapes each new batch × resolution is reshaped and compiled once.
 *
 * <p><b>Ownership:</b> owns both networks; {@link #close()} frees each once. Thread-safe.
 */
public final class OpenVinoFirstStage extends NetworkFirstStage<OvNetwork> {

  /**
   * Adapts to the networks' contracts; takes ownership of both (closing them on rejection).
   *
   * @param scaleFactor the model's {@code scaling_factor}
   * @throws IllegalArgumentException naming the tensor and what was expected when a contract is unknown
   */
  public OpenVinoFirstStage(OvNetwork decoder, Optional<OvNetwork> encoder, double scaleFactor) {
    super(decoder, encoder, scaleFactor,
        d -> VaeContract.decoder(d.what(), d.inputContract(), d.outputContract()),
        e -> VaeContract.encoder(e.what(), e.inputContract(), e.outputContract()));
  }

  @Override
  protected Tensor run(OvNetwork network, Tensor input, VaeContract contract) {
    return network.infer(Map.of(contract.input().name(), new Feed.Floats(input)), List.of(contract.output().name())).getFirst();
  }

  /** The decoder network (compile counts, device). */
  public OvNetwork decoderNetwork() {
    return decoder();
  }

}
