package io.github.ldm4j.conditioning.prompt;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's extra-network tags: {@code <TYPE:ARG:ARG…>} anywhere in a prompt is taken out of
 * it (never tokenized) and, for the types {@code lora} and {@code lyco} (A1111's alias of lora),
 * selects a LoRA:
 *
 * <ul>
 *   <li>{@code <lora:name>}: multiplier 1 for text encoder and UNet;
 *   <li>{@code <lora:name:w>}: both {@code w};
 *   <li>{@code <lora:name:te:unet>}: text encoder {@code te}, UNet {@code unet};
 *   <li>named {@code te=…} and {@code unet=…} items override the positional ones ({@code
 *       <lora:name:te=0.5:unet=1>}, {@code <lora:name:1:unet=0>}).
 * </ul>
 *
 * <p>A tag is what A1111's pattern {@code <(\w+):([^>]+)>} matches (Unicode word characters for the
 * type, at least one character other than {@code >} for the arguments, split at every {@code :});
 * the text around it is kept as it is, so {@code "a <lora:x:1>, b"} becomes {@code "a , b"}, as in
 * A1111. An item is named when it holds exactly one {@code =}. Numbers are decimals with an
 * optional sign and exponent, surrounding blanks allowed; {@code nan} and {@code inf} are refused.
 *
 * <p>Where A1111 skips or crashes, ldm4j refuses with an {@link IllegalArgumentException} naming the
 * tag, rather than drawing an image the user did not ask for:
 *
 * <ul>
 *   <li>other types ({@code <hypernet:…>}, anything else): A1111 drops them from the prompt and
 *       ignores unknown ones; ldm4j applies no hypernetworks, so it refuses them;
 *   <li>the dynamic rank ({@code dyn=}, or a fourth positional item), named items other than
 *       {@code te}/{@code unet}, more than four positional items, a missing or blank name, a value
 *       that is not a finite number, the same name twice in one prompt.
 * </ul>
 */
public final class ExtraNetworks {

  /** A1111's {@code re_extra_net}; Python's {@code \w} is Unicode-aware. */
  private static final Pattern TAG = Pattern.compile("<(\\w+):([^>]+)>", Pattern.UNICODE_CHARACTER_CLASS);

  private static final Pattern NUMBER = Pattern.compile("\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*");

  private ExtraNetworks() {}

  /**
   * Takes the extra-network tags out of {@code prompt}.
   *
   * @throws IllegalArgumentException naming the tag for an unsupported type or a malformed LoRA tag
   */
  public static ExtraNetworkPrompt parse(String prompt) {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    Matcher m = TAG.matcher(prompt);
    StringBuilder cleaned = new StringBuilder(prompt.length());
    List<LoraTag> loras = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int last = 0;
    while (m.find()) {
      cleaned.append(prompt, last, m.start());
      last = m.end();
      LoraTag tag = tag(m.group(), m.group(1), m.group(2));
      if (!names.add(tag.name())) {
        throw new IllegalArgumentException(
            "LoRA '" + tag.name() + "' is given twice in the prompt (" + m.group() + "); give each LoRA once");
      }
      loras.add(tag);
    }
    cleaned.append(prompt, last, prompt.length());
    return new ExtraNetworkPrompt(cleaned.toString(), loras);
  }

  /**
   * Refuses extra-network tags in a negative prompt: A1111 takes them from the positive prompt only
   * (a LoRA changes the model, for the negative prompt too), and tokenizing the tag's text instead
   * would be a silent surprise.
   *
   * @throws IllegalArgumentException naming the first tag
   */
  public static void requireNone(String negativePrompt) {
    if (negativePrompt == null) {
      throw new IllegalArgumentException("negative prompt must not be null");
    }
    Matcher m = TAG.matcher(negativePrompt);
    if (m.find()) {
      throw new IllegalArgumentException("extra-network tag " + m.group()
          + " in the negative prompt: put <lora:…> tags in the prompt (a LoRA applies to the whole model)");
    }
  }

  private static LoraTag tag(String whole, String type, String args) {
    if (!type.equals("lora") && !type.equals("lyco")) {
      throw new IllegalArgumentException("unsupported extra network " + whole
          + ": ldm4j applies only <lora:…> and <lyco:…> tags");
    }
    List<String> positional = new ArrayList<>();
    Double te = null;
    Double unet = null;
    for (String item : args.split(":", -1)) {
      String[] parts = item.split("=", -1);
      if (parts.length != 2) {
        positional.add(item);
        continue;
      }
      switch (parts[0]) {
        case "te" -> te = number(whole, parts[1]);
        case "unet" -> unet = number(whole, parts[1]);
        case "dyn" -> throw new IllegalArgumentException(whole + ": the dynamic rank (dyn=) is not supported");
        default -> throw new IllegalArgumentException(
            whole + ": unknown named value '" + parts[0] + "' (expected te= or unet=)");
      }
    }
    if (positional.isEmpty() || positional.getFirst().isBlank()) {
      throw new IllegalArgumentException(whole + ": no LoRA name (expected <lora:NAME[:TE[:UNET]]>)");
    }
    if (positional.size() > 4) {
      throw new IllegalArgumentException(whole + ": too many values (expected <lora:NAME[:TE[:UNET]]>)");
    }
    if (positional.size() == 4) {
      throw new IllegalArgumentException(whole + ": the dynamic rank (fourth value) is not supported");
    }
    double pte = positional.size() > 1 ? number(whole, positional.get(1)) : 1.0;
    double t = te != null ? te : pte;
    double punet = positional.size() > 2 ? number(whole, positional.get(2)) : t;
    double u = unet != null ? unet : punet;
    return new LoraTag(positional.getFirst(), t, u);
  }

  private static double number(String whole, String s) {
    if (!NUMBER.matcher(s).matches()) {
      throw new IllegalArgumentException(whole + ": '" + s + "' is not a number");
    }
    double v = Double.parseDouble(s.strip());
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(whole + ": '" + s.strip() + "' is not a finite number");
    }
    return v;
  }
}
