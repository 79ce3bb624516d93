package io.github.ldm4j.folder.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.ldm4j.folder.ModelFolder;
import io.github.ldm4j.model.LayerNorm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Finds the parameters of a CLIP text model's final LayerNorm in its ONNX file, for CLIP skip: first
 * the initializers named as the PyTorch module ({@code text_model.final_layer_norm.weight} and
 * {@code .bias}), else the scale and bias inputs of the {@code LayerNormalization} node that
 * produces {@code last_hidden_state} (through {@code Identity}/{@code Cast} nodes), or of the
 * {@code Div → Mul(scale) → Add(bias)} tail of a LayerNorm decomposed into primitive operators (as
 * opset &lt; 17 exports have it). ε comes from the {@code LayerNormalization} node's {@code epsilon}
 * attribute, else {@code layer_norm_eps} in the component's {@code config.json}, else CLIP's 1e-5.
 *
 * @param norm the layer norm, when found
 * @param explanation where it was found, or what was looked for when not
 */
public record FinalLayerNormLookup(Optional<LayerNorm> norm, String explanation) {

  /** Initializer name of the scale in PyTorch-named exports. */
  public static final String WEIGHT = "text_model.final_layer_norm.weight";

  /** Initializer name of the shift in PyTorch-named exports. */
  public static final String BIAS = "text_model.final_layer_norm.bias";

  /** CLIP's {@code layer_norm_eps} (and the ONNX default of {@code LayerNormalization}). */
  public static final double CLIP_EPSILON = 1e-5;

  private static final Set<String> PASS_THROUGH = Set.of("Identity", "Cast");

  /**
   * Looks in {@code modelFile}.
   *
   * @param lastHiddenState the name of the output the final layer norm produces
   * @throws IOException when the file cannot be read (names the file)
   */
  public static FinalLayerNormLookup find(Path modelFile, String lastHiddenState) throws IOException {
    return OnnxModelIndex.read(modelFile, index -> {
      if (index.hasTensor(WEIGHT) && index.hasTensor(BIAS)) {
        float[] w = index.floats(WEIGHT).orElseThrow();
        float[] b = index.floats(BIAS).orElseThrow();
        OptionalDouble eps = OptionalDouble.empty();
        for (OnnxModelIndex.Node n : index.consumers(WEIGHT)) {
          if (n.opType().equals("LayerNormalization")) {
            eps = OptionalDouble.of(n.epsilon().orElse(CLIP_EPSILON));
          }
        }
        return found(w, b, epsilon(eps, modelFile), "initializers " + WEIGHT + " and " + BIAS);
      }
      String value = lastHiddenState;
      for (int hops = 0; hops < 16; hops++) {
        Optional<OnnxModelIndex.Node> p = index.producer(value);
        if (p.isEmpty()) {
          break;
        }
        OnnxModelIndex.Node n = p.get();
        if (PASS_THROUGH.contains(n.opType()) && !n.inputs().isEmpty()) {
          value = n.inputs().getFirst();
          continue;
        }
        List<String> in = n.inputs();
        if (n.opType().equals("LayerNormalization") && in.size() >= 2 && index.hasTensor(in.get(1))) {
          float[] w = index.floats(in.get(1)).orElseThrow();
          float[] b = in.size() >= 3 && index.hasTensor(in.get(2)) ? index.floats(in.get(2)).orElseThrow() : new float[w.length];
          double eps = n.epsilon().orElse(CLIP_EPSILON);
          return found(w, b, eps, "the LayerNormalization node producing " + lastHiddenState);
        }
        Optional<FinalLayerNormLookup> decomposed = decomposed(index, n, modelFile, lastHiddenState);
        if (decomposed.isPresent()) {
          return decomposed.get();
        }
        break;
      }
      return new FinalLayerNormLookup(Optional.empty(),
          modelFile + " has neither the initializers " + WEIGHT + " and " + BIAS
              + " nor a LayerNormalization node with constant scale and bias producing '" + lastHiddenState + "'");
    });
  }

  /** {@code Add(Mul(Div(…), scale), bias)} with constant scale and bias, in either operand order. */
  private static Optional<FinalLayerNormLookup> decomposed(
      OnnxModelIndex index, OnnxModelIndex.Node add, Path modelFile, String lastHiddenState) throws IOException {
    if (!add.opType().equals("Add") || add.inputs().size() != 2) {
      return Optional.empty();
    }
    for (int bi = 0; bi < 2; bi++) {
      String bias = add.inputs().get(bi);
      Optional<OnnxModelIndex.Node> mul = index.producer(add.inputs().get(1 - bi));
      if (!index.hasTensor(bias) || mul.isEmpty() || !mul.get().opType().equals("Mul") || mul.get().inputs().size() != 2) {
        continue;
      }
      for (int wi = 0; wi < 2; wi++) {
        String scale = mul.get().inputs().get(wi);
        Optional<OnnxModelIndex.Node> div = index.producer(mul.get().inputs().get(1 - wi));
        if (index.hasTensor(scale) && div.isPresent() && div.get().opType().equals("Div")) {
          float[] w = index.floats(scale).orElseThrow();
          float[] b = index.floats(bias).orElseThrow();
          return Optional.of(found(w, b, epsilon(OptionalDouble.empty(), modelFile),
              "the decomposed LayerNorm (Div, Mul, Add) producing " + lastHiddenState));
        }
      }
    }
    return Optional.empty();
  }

  private static FinalLayerNormLookup found(float[] w, float[] b, double eps, String where) {
    if (w.length != b.length) {
      return new FinalLayerNormLookup(Optional.empty(),
          "the final layer norm's weight has " + w.length + " values but its bias " + b.length + " (" + where + ")");
    }
    return new FinalLayerNormLookup(Optional.of(new LayerNorm(w, b, eps)), where);
  }

  private static double epsilon(OptionalDouble fromNode, Path modelFile) throws IOException {
    if (fromNode.isPresent()) {
      return fromNode.getAsDouble();
    }
    Path config = modelFile.toAbsolutePath().getParent().resolve("config.json");
    if (Files.isRegularFile(config)) {
      JsonNode eps = ModelFolder.readJson(config).path("layer_norm_eps");
      if (eps.isNumber() && eps.doubleValue() > 0) {
        return eps.doubleValue();
      }
    }
    return CLIP_EPSILON;
  }
}
