package io.github.ldm4j.quarkus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image store's contract on a clock the test moves: ids, expiry (on access and by the sweep,
 * files deleted), the bounds (oldest first; a response larger than the store refused), and close.
 */
class ImageStoreTest {

  @TempDir Path parent;

  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private final InstantSource clock = () -> now.get();

  private ImageStore store(Duration ttl, int maxFiles, long maxBytes) throws IOException {
    return new ImageStore(new ImageStore.Settings(Optional.of(parent), ttl, maxFiles, maxBytes), clock);
  }

  private static byte[] bytes(int n, int fill) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }

  private long filesIn(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.count();
    }
  }

  @Test
  void idsAre192RandomBitsInBase64UrlAndFindTheirBytes() throws Exception {
    try (ImageStore store = store(Duration.ofHours(1), 1000, 1 << 20)) {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        ImageStore.Stored s = store.put(List.of(bytes(10, i))).getFirst();
        assertThat(s.id()).hasSize(32).matches("[A-Za-z0-9_-]{32}");
        assertThat(s.expires()).isEqualTo(now.get().plus(Duration.ofHours(1)));
        ids.add(s.id());
        assertThat(store.get(s.id()).orElseThrow().png()).isEqualTo(bytes(10, i));
      }
      assertThat(ids).hasSize(200);
      // 200 ids of 32 characters: every character of the alphabet shows up (random, not a counter)
      Set<Character> seen = new HashSet<>();
      ids.forEach(id -> id.chars().forEach(c -> seen.add((char) c)));
      assertThat(seen).hasSize(64);
      assertThat(store.get("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).isEmpty();
      assertThat(store.get("../../etc/passwd")).isEmpty();
      assertThat(store.get(null)).isEmpty();
    }
  }

  @Test
  void anExpiredImageIsGoneOnAccessAndItsFileDeleted() throws Exception {
    try (ImageStore store = store(Duration.ofMinutes(10), 10, 1000)) {
      String id = store.put(List.of(bytes(5, 1))).getFirst().id();
      Path file = store.folderIfMade().orElseThrow().resolve(id + ".png");
      assertThat(file).exists();
      now.set(now.get().plus(Duration.ofMinutes(10)).minusMillis(1));
      assertThat(store.get(id)).isPresent();
      now.set(now.get().plusMillis(1));
      assertThat(store.get(id)).isEmpty();
      assertThat(file).doesNotExist();
      assertThat(store.count()).isZero();
      assertThat(store.bytes()).isZero();
    }
  }

  @Test
  void theSweepDeletesExpiredImagesOldestFirstWithoutAccess() throws Exception {
    try (ImageStore store = store(Duration.ofMinutes(10), 10, 1000)) {
      store.put(List.of(bytes(5, 1), bytes(6, 2)));
      now.set(now.get().plus(Duration.ofMinutes(5)));
      String young = store.put(List.of(bytes(7, 3))).getFirst().id();
      now.set(now.get().plus(Duration.ofMinutes(5)));
      assertThat(store.sweep()).isEqualTo(2);
      assertThat(store.count()).isEqualTo(1);
      assertThat(store.bytes()).isEqualTo(7);
      assertThat(filesIn(store.folderIfMade().orElseThrow())).isEqualTo(1);
      assertThat(store.get(young)).isPresent();
    }
  }

  @Test
  void theSweeperThreadRunsOnItsOwn() throws Exception {
    try (ImageStore store = new ImageStore(new ImageStore.Settings(Optional.of(parent), Duration.ofMillis(200), 10, 1000),
        InstantSource.system())) {
      store.put(List.of(bytes(5, 1)));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (store.count() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(store.count()).isZero();
      assertThat(filesIn(store.folderIfMade().orElseThrow())).isZero();
    }
  }

  @Test
  void aFullStoreDropsTheOldestImagesFirst() throws Exception {
    try (ImageStore store = store(Duration.ofHours(1), 3, 100)) {
      List<ImageStore.Stored> first = store.put(List.of(bytes(10, 1), bytes(10, 2)));
      List<ImageStore.Stored> second = store.put(List.of(bytes(10, 3), bytes(10, 4)));
      // the count bound (3) drops the oldest one
      assertThat(store.get(first.get(0).id())).isEmpty();
      assertThat(store.get(first.get(1).id())).isPresent();
      assertThat(store.count()).isEqualTo(3);
      // the count bound drops one more, then the size bound (100 bytes) drops the oldest until 81 more fit
      List<ImageStore.Stored> third = store.put(List.of(bytes(81, 5)));
      assertThat(store.get(first.get(1).id())).isEmpty();
      assertThat(store.get(second.get(0).id())).isEmpty();
      assertThat(store.get(second.get(1).id())).isPresent();
      assertThat(store.get(third.getFirst().id())).isPresent();
      assertThat(store.bytes()).isEqualTo(91);
      assertThat(filesIn(store.folderIfMade().orElseThrow())).isEqualTo(2);
    }
  }

  @Test
  void aResponseLargerThanTheStoreIsRefusedAndNothingIsDropped() throws Exception {
    try (ImageStore store = store(Duration.ofHours(1), 2, 100)) {
      String kept = store.put(List.of(bytes(10, 1))).getFirst().id();
      assertThatThrownBy(() -> store.put(List.of(bytes(1, 1), bytes(1, 2), bytes(1, 3))))
          .isInstanceOf(ImageStore.TooLargeException.class)
          .hasMessageContaining("3 images of 3 bytes").hasMessageContaining("quarkus.ldm4j.images.max-files=2");
      assertThatThrownBy(() -> store.put(List.of(bytes(101, 1))))
          .isInstanceOf(ImageStore.TooLargeException.class).hasMessageContaining("quarkus.ldm4j.images.max-size=100");
      assertThat(store.get(kept)).isPresent();
    }
  }

  @Test
  void closeDeletesTheFolderAndIsIdempotent() throws Exception {
    ImageStore store = store(Duration.ofHours(1), 10, 1000);
    String id = store.put(List.of(bytes(5, 1))).getFirst().id();
    Path folder = store.folderIfMade().orElseThrow();
    assertThat(folder.getParent()).isEqualTo(parent);
    assertThat(folder.getFileName().toString()).startsWith("ldm4j-images-");
    store.close();
    store.close();
    assertThat(folder).doesNotExist();
    assertThat(store.get(id)).isEmpty();
    assertThatThrownBy(() -> store.put(List.of(bytes(1, 1)))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badSettingsNameTheirProperty() {
    assertThatThrownBy(() -> new ImageStore.Settings(Optional.empty(), Duration.ZERO, 1, 1))
        .hasMessageContaining("quarkus.ldm4j.images.url-ttl must be positive");
    assertThatThrownBy(() -> new ImageStore.Settings(Optional.empty(), Duration.ofSeconds(1), 0, 1))
        .hasMessageContaining("quarkus.ldm4j.images.max-files must be >= 1, got 0");
    assertThatThrownBy(() -> new ImageStore.Settings(Optional.empty(), Duration.ofSeconds(1), 1, 0))
        .hasMessageContaining("quarkus.ldm4j.images.max-size must be >= 1 byte, got 0");
  }

  @Test
  void theSweepPeriodIsHalfTheTtlWithinBounds() {
    assertThat(ImageStore.sweepPeriod(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(1));
    assertThat(ImageStore.sweepPeriod(Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(1));
    assertThat(ImageStore.sweepPeriod(Duration.ofMillis(10))).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void theFolderComesWithTheFirstImageAndAnUncreatableOneIsAnErrorNamingIt() throws Exception {
    try (ImageStore unused = store(Duration.ofHours(1), 10, 1000)) {
      assertThat(unused.folderIfMade()).isEmpty();
      try (Stream<Path> s = Files.list(parent)) {
        assertThat(s.toList()).isEmpty();
      }
    }
    Path file = Files.writeString(parent.resolve("a-file"), "x");
    try (ImageStore store = new ImageStore(new ImageStore.Settings(Optional.of(file), Duration.ofSeconds(1), 1, 10), clock)) {
      assertThatThrownBy(() -> store.put(List.of(bytes(1, 1))))
          .isInstanceOf(IOException.class).hasMessageContaining("cannot create the image folder under " + file);
    }
  }
}
