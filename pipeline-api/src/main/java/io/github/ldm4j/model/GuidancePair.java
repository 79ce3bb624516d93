package io.github.ldm4j.model;

import io.github.ldm4j.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * The conditional and unconditional conditioning of classifier-free guidance — the one cond/uncond
 * type of ldm4j — with anything the user should know about how they were made (e.g. prompt tokens
 * dropped by truncation: reported, never silent).
 *
 * @param cond the conditioning of the prompts ({@code c})
 * @param uncond the conditioning of the negative prompts ({@code uc}); same key and shapes as {@code cond}
 * @param warnings human-readable notes, empty when nothing was lost
 */
public record GuidancePair(Conditioning cond, Conditioning uncond, List<String> warnings) {

  /** Validates and copies. */
  public GuidancePair {
    Objects.requireNonNull(cond, "cond");
    Objects.requireNonNull(uncond, "uncond");
    if (cond.key() != uncond.key()) {
      throw new IllegalArgumentException(
          "cond is '" + cond.key().compvisName() + "' but uncond is '" + uncond.key().compvisName() + "' conditioning");
    }
    Tensor c = contextOf(cond);
    if (c != null) {
      c.requireSameShape("negative-prompt context", contextOf(uncond));
    }
    warnings = List.copyOf(warnings);
  }

  /** A pair without warnings. */
  public GuidancePair(Conditioning cond, Conditioning uncond) {
    this(cond, uncond, List.of());
  }

  /** Both sides the same (conditioning without a prompt, e.g. {@code concat} alone). */
  public static GuidancePair same(Conditioning both) {
    return new GuidancePair(both, both, List.of());
  }

  /**
   * The cross-attention pair of two contexts of one shape.
   *
   * @param cond {@code [B, tokens, d]} for the prompts
   * @param uncond {@code [B, tokens, d]} for the negative prompts
   */
  public static GuidancePair crossAttn(Tensor cond, Tensor uncond,
      List<String> warnings) {
    return new GuidancePair(Conditioning.crossAttn(cond), Conditioning.crossAttn(uncond), warnings);
  }

  /**
   * This cross-attention pair with {@code channels} concatenated to the input on both sides: the
   * {@code hybrid} conditioning of inpainting UNets.
   *
   * @throws IllegalArgumentException when this pair is not {@code crossattn}
   */
  public GuidancePair withConcat(Tensor channels) {
    if (cond.key() != ConditioningKey.CROSSATTN) {
      throw new IllegalArgumentException("only a crossattn pair can take concat channels, this one is " + cond.key());
    }
    return new GuidancePair(Conditioning.hybrid(contextOf(cond), channels),
        Conditioning.hybrid(contextOf(uncond), channels), warnings);
  }

  private static Tensor contextOf(Conditioning c) {
    return switch (c) {
      case Conditioning.CrossAttn x -> x.context();
      case Conditioning.Hybrid h -> h.context();
      case Conditioning.Concat x -> null;
      case Conditioning.None x -> null;
    };
  }
}
