package io.github.ldm4j.spi;

import io.github.ldm4j.folder.ModelComponent;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.spi.contract.PortType;
import io.github.ldm4j.spi.contract.TensorPort;
import io.github.ldm4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Service types and providers registered under src/test/resources/META-INF/services. */
public final class TestServices {

  private TestServices() {}

  /** A test-only service type with two providers named "one" and "two". */
  public interface Gizmo {
    /** The name. */
    String name();
  }

  /** Provider "one". */
  public static final class GizmoOne implements Gizmo {
    @Override
    public String name() {
      return "One";
    }
  }

  /** Provider "two". */
  public static final class GizmoTwo implements Gizmo {
    @Override
    public String name() {
      return "two";
    }
  }

  /** A test-only service type whose two providers claim the same name. */
  public interface Widget {
    /** The name. */
    String name();
  }

  /** "alpha". */
  public static final class WidgetAlpha implements Widget {
    @Override
    public String name() {
      return "alpha";
    }
  }

  /** Also "alpha", in another case. */
  public static final class WidgetAlphaAgain implements Widget {
    @Override
    public String name() {
      return "ALPHA";
    }
  }

  /** A test-only service type nobody provides. */
  public interface Gadget {
    /** The name. */
    String name();
  }

  /**
   * A backend that is available and opens in-memory "networks" that copy their one input to their
   * one output.
   */
  public static final class AvailableBackend implements BackendProvider {
    @Override
    public String name() {
      return "test-memory";
    }

    @Override
    public boolean isAvailable() {
      return true;
    }

    @Override
    public Set<ModelFolder.Format> formats() {
      return EnumSet.of(ModelFolder.Format.ONNX);
    }

    @Override
    public NetworkSet open(NetworkRequest request) throws IOException {
      return NetworkSet.openEach(request.devices().keySet(), c -> new CopyNetwork(c));
    }

    @Override
    public NetworkDescription describe(ModelFolder folder, ModelComponent component, BackendOptions options) {
      CopyNetwork n = new CopyNetwork(component);
      return new NetworkDescription(component, n.file(), List.copyOf(n.inputs().values()), List.copyOf(n.outputs().values()));
    }
  }

  /** An in-memory network: {@code y = x}. */
  public static final class CopyNetwork implements Network {
    private final ModelComponent component;
    private final TensorPort port = new TensorPort("x", PortType.FLOAT32, new long[] {-1});
    public int closes;

    CopyNetwork(ModelComponent component) {
      this.component = component;
    }

    @Override
    public ModelComponent component() {
      return component;
    }

    @Override
    public Path file() {
      return Path.of("memory", component.folderName());
    }

    @Override
    public Map<String, TensorPort> inputs() {
      return Map.of("x", port);
    }

    @Override
    public Map<String, TensorPort> outputs() {
      return Map.of("y", new TensorPort("y", PortType.FLOAT32, new long[] {-1}));
    }

    @Override
    public List<Tensor> run(Map<String, Feed> feeds, List<String> outputs) {
      return List.of(((Feed.Floats) feeds.get("x")).tensor().copy());
    }

    @Override
    public void close() {
      closes++;
    }
  }

  /** A backend whose runtime is missing. */
  public static final class UnavailableBackend implements BackendProvider {
    @Override
    public String name() {
      return "test-missing";
    }

    @Override
    public boolean isAvailable() {
      return false;
    }

    @Override
    public String unavailableReason() {
      return "install the test runtime";
    }

    @Override
    public Set<ModelFolder.Format> formats() {
      return EnumSet.of(ModelFolder.Format.ONNX);
    }

    @Override
    public NetworkSet open(NetworkRequest request) {
      throw new IllegalStateException("not available");
    }

    @Override
    public NetworkDescription describe(ModelFolder folder, ModelComponent component, BackendOptions options) {
      throw new IllegalStateException("not available");
    }
  }
}
