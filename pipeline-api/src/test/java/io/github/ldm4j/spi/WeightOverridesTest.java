package io.github.ldm4j.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.spi.contract.PortType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link WeightOverrides}: validation naming the weight, byte counts, components, and an owned arena closed once. */
class WeightOverridesTest {

  @Test
  void countsBytesByComponentAndClosesItsArenaOnce() {
    Arena arena = Arena.ofShared();
    MemorySegment a = arena.allocate(2 * 3 * 4);
    MemorySegment b = arena.allocate(4 * 2);
    WeightOverrides o = new WeightOverrides(Map.of(
        ModelComponent.UNET, List.of(new WeightOverrides.Weight("w", PortType.FLOAT32, new long[] {2, 3}, a)),
        ModelComponent.TEXT_ENCODER, List.of(new WeightOverrides.Weight("t", PortType.FLOAT16, new long[] {4}, b)),
        ModelComponent.VAE_DECODER, List.of()), arena);
    assertThat(o.components()).containsExactly(ModelComponent.TEXT_ENCODER, ModelComponent.UNET);
    assertThat(o.bytes()).isEqualTo(24 + 8);
    assertThat(o.of(ModelComponent.VAE_ENCODER)).isEmpty();
    assertThat(o.of(ModelComponent.UNET).getFirst().shape()).containsExactly(2, 3);
    assertThat(o.isEmpty()).isFalse();
    o.close();
    o.close();
    assertThat(o.isClosed()).isTrue();
    assertThat(arena.scope().isAlive()).isFalse();
    assertThat(WeightOverrides.NONE.isEmpty()).isTrue();
    WeightOverrides.NONE.close(); // owns nothing
  }

  @Test
  void badWeightsAreRefusedNamingThem() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment eight = arena.allocate(8);
      assertThatThrownBy(() -> new WeightOverrides.Weight("up", PortType.FLOAT32, new long[] {3}, eight))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("weight up [3] FLOAT32 needs 12 bytes, got 8");
      assertThatThrownBy(() -> new WeightOverrides.Weight("ids", PortType.INT64, new long[] {1}, eight))
          .hasMessageContaining("weight ids: only float32 and float16");
      assertThatThrownBy(() -> new WeightOverrides.Weight("h", PortType.FLOAT32, new long[] {2}, MemorySegment.ofArray(new byte[8])))
          .hasMessageContaining("weight h: values must be in native memory");
      WeightOverrides.Weight w = new WeightOverrides.Weight("w", PortType.FLOAT16, new long[] {4}, eight);
      assertThatThrownBy(() -> new WeightOverrides(Map.of(ModelComponent.UNET, List.of(w, w)), null))
          .hasMessageContaining("unet: a weight is replaced twice");
    }
  }
}
