package io.github.ldm4j.conditioning.text;

import io.github.ldm4j.model.Conditioning;
import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * Prompts as cross-attention context.
 *
 * @param context {@code [B, 77·k, d]}, k the largest chunk count of the batch
 * @param usage one entry per prompt
 */
public record PromptEncoding(Tensor context, List<PromptUsage> usage) {

  /** Validates and copies. */
  public PromptEncoding {
    Objects.requireNonNull(context, "context");
    usage = List.copyOf(usage);
    if (context.rank() != 3 || context.dim(0) != usage.size()) {
      throw new IllegalArgumentException(
          "context " + context.shape() + " does not hold " + usage.size() + " prompts as [B, tokens, d]");
    }
  }

  /** The context as {@code crossattn} conditioning. */
  public Conditioning crossAttn() {
    return Conditioning.crossAttn(context);
  }
}
