package io.github.ldm4j.checkpoint.pickle;

import io.github.ldm4j.checkpoint.CheckpointFormatException;
import io.github.ldm4j.checkpoint.FloatConversion;
import io.github.ldm4j.checkpoint.StateDict;
import io.github.ldm4j.checkpoint.TensorEntry;
import io.github.ldm4j.checkpoint.pickle.internal.BadFormatException;
import io.github.ldm4j.checkpoint.pickle.internal.PickleLimits;
import io.github.ldm4j.checkpoint.pickle.internal.StateDicts;
import io.github.ldm4j.checkpoint.pickle.internal.TorchFiles;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A PyTorch checkpoint ({@code .ckpt}, {@code .pt}, {@code .pth}, {@code .bin}) written by {@code
 * torch.save}, read without Python and without running any of it: the file is memory-mapped, its
 * pickle is interpreted by a restricted unpickler that only knows the handful of globals a state
 * dict needs (anything else, such as {@code os.system}, fails naming the global), and each tensor is
 * a read-only view of the mapped storage bytes.
 *
 * <p><b>Formats:</b> the zip format of torch ≥ 1.6 (storages must be stored uncompressed, as torch
 * writes them; ZIP64 supported) and the legacy format of older torch (and of {@code
 * _use_new_zipfile_serialization=False}). Little-endian only.
 *
 * <p><b>What the entries are:</b> when the top-level object is a dict holding a dict under {@code
 * state_dict} (a PyTorch Lightning checkpoint, like the CompVis / RunwayML Stable Diffusion
 * releases), the tensors of that dict; otherwise the tensors of the top-level dict. Keys are kept as
 * in the file (prefixes such as {@code model.} or {@code module.} included). Non-tensor values of
 * the state dict are skipped; 0-d tensors (EMA's {@code num_updates}) are entries of shape {@code
 * []}. Tensors must be contiguous row-major views (the message names one that is not); views
 * sharing a storage (tied weights, slices) are fine.
 *
 * <p><b>Metadata:</b> the top-level dict's str, int, float and bool values, written as Python's
 * {@code str()} would: for Lightning {@code epoch}, {@code global_step}, {@code
 * pytorch-lightning_version}. Everything else (optimizer and callback state, hyper-parameters) is
 * parsed, inert, and dropped.
 *
 * <p>Ownership and threading as for every {@link StateDict}: {@link #close()} unmaps the file.
 */
public final class TorchCheckpoint implements StateDict {

  /** The layout of the file. */
  public enum Format {
    /** The zip archive of torch ≥ 1.6. */
    ZIP,
    /** The pickles-in-a-row format of torch &lt; 1.6. */
    LEGACY
  }

  private final Path file;
  private final Arena arena;
  private final MemorySegment mapped;
  private final Format format;
  private final Map<String, TensorEntry> entries;
  private final Map<String, TorchFiles.Slice> locations;
  private final Map<String, String> metadata;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TorchCheckpoint(Path file, Arena arena, MemorySegment mapped, Format format, StateDicts.Extracted extracted) {
    this.file = file;
    this.arena = arena;
    this.mapped = mapped;
    this.format = format;
    this.entries = extracted.entries();
    this.locations = extracted.locations();
    this.metadata = extracted.metadata();
  }

  /**
   * Maps and reads {@code file}.
   *
   * @throws CheckpointFormatException when it is not a PyTorch checkpoint this reader accepts:
   *     truncated, inconsistent, hostile (a forbidden global, named in the message) or of an
   *     unsupported kind (TorchScript, big-endian, compressed storages, non-contiguous tensors)
   * @throws IOException when it cannot be read
   */
  public static TorchCheckpoint open(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    Arena arena = Arena.ofShared();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        throw new CheckpointFormatException(file, "empty file");
      }
      MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      TorchFiles.Loaded loaded = TorchFiles.read(mapped, PickleLimits.DEFAULTS);
      StateDicts.Extracted extracted = StateDicts.extract(loaded);
      return new TorchCheckpoint(file, arena, mapped, loaded.zip() ? Format.ZIP : Format.LEGACY, extracted);
    } catch (BadFormatException e) {
      arena.close();
      throw new CheckpointFormatException(file, e.getMessage(), e);
    } catch (IOException | RuntimeException | Error e) {
      arena.close();
      throw e;
    }
  }

  /** The layout the file has. */
  public Format format() {
    return format;
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public Map<String, TensorEntry> entries() {
    return entries;
  }

  /** The top-level scalars (Lightning's {@code epoch}, {@code global_step}, …) as Python's {@code str()} writes them. */
  @Override
  public Map<String, String> metadata() {
    return metadata;
  }

  @Override
  public MemorySegment data(String name) {
    TorchFiles.Slice slice = locations.get(name);
    if (slice == null) {
      throw new IllegalArgumentException("no tensor '" + name + "' in " + file);
    }
    if (closed.get()) {
      throw new IllegalStateException(file + " is closed");
    }
    return mapped.asSlice(slice.offset(), slice.length()).asReadOnly();
  }

  @Override
  public Tensor toFloat(String name) {
    TensorEntry entry = entries.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no tensor '" + name + "' in " + file);
    }
    return FloatConversion.toFloat(entry, data(name));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      arena.close();
    }
  }

  @Override
  public String toString() {
    return "TorchCheckpoint[" + file + ", " + format + ", " + entries.size() + " tensors]";
  }
}
