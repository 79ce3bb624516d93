package io.github.ldm4j.spi.contract;

import io.github.ldm4j.model.ConditioningKey;
import io.github.ldm4j.model.FixedSize;
import io.github.ldm4j.model.UNet;
import java.util.Optional;

/**
 * A backend UNet described by the {@link UNetContract} read from its network: the conditioning
 * key, channel counts and any fixed sample size come from the contract, so each backend only adds
 * how it runs the network.
 */
public interface ContractUNet extends UNet {

  /** The contract read from the network's declared inputs and outputs. */
  UNetContract contract();

  @Override
  default ConditioningKey conditioningKey() {
    return contract().conditioningKey();
  }

  @Override
  default int inChannels() {
    return contract().inChannels();
  }

  @Override
  default int outChannels() {
    return contract().outChannels();
  }

  /** From the declared {@code sample} input ({@link UNetContract#fixedSampleSize()}). */
  @Override
  default Optional<FixedSize> fixedSampleSize() {
    return contract().fixedSampleSize();
  }
}
