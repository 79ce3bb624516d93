package io.github.ldm4j.export.folder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ldm4j.conditioning.clip.ClipVocabulary;

/**
 * The per-component {@code config.json} files, with the keys diffusers / transformers write: the
 * keys a pipeline reads for networks that are not the SD architectures ({@code *Minimal}), and
 * the head every CLIPTextModel config starts with, for writers of full configs.
 */
public final class ComponentConfigs {

  /**
   * Key naming the generator family of a config ldm4j wrote (e.g. {@code shapes-oracle}). Its name
   * dates from the testkit and is kept so that written folders stay byte-identical.
   */
  public static final String FAMILY_KEY = "_ldm4j_testkit";

  private ComponentConfigs() {
  }

  /** Id of CLIP's start-of-text token (49406). */
  public static int bosId() {
    return ClipVocabulary.openAiClip().id(ClipVocabulary.START_OF_TEXT).orElseThrow();
  }

  /** Id of CLIP's end-of-text token (49407), also SD v1's padding. */
  public static int eosId() {
    return ClipVocabulary.openAiClip().id(ClipVocabulary.END_OF_TEXT).orElseThrow();
  }

  /** A config starting with {@code _class_name} and the family marker. */
  public static ObjectNode diffusersHead(String className, String family) {
    ObjectNode n = FolderWriter.JSON.objectNode();
    n.put("_class_name", className);
    n.put(FAMILY_KEY, family);
    return n;
  }

  /** The AutoencoderKL keys a pipeline reads, for a first stage that is not an AutoencoderKL. */
  public static ObjectNode vaeMinimal(int latentChannels, int sampleSize, double scalingFactor, String family) {
    ObjectNode n = diffusersHead("AutoencoderKL", family);
    n.put("in_channels", 3);
    n.put("latent_channels", latentChannels);
    n.put("out_channels", 3);
    n.put("sample_size", sampleSize);
    n.put("scaling_factor", scalingFactor);
    return n;
  }

  /** The UNet2DConditionModel keys a pipeline reads, for a denoiser that is not a UNet. */
  public static ObjectNode unetMinimal(int inChannels, int outChannels, int sampleSize, int contextDim,
      String family) {
    ObjectNode n = diffusersHead("UNet2DConditionModel", family);
    n.put("cross_attention_dim", contextDim);
    n.put("in_channels", inChannels);
    n.put("out_channels", outChannels);
    n.put("sample_size", sampleSize);
    return n;
  }

  /** The CLIPTextModel keys a pipeline reads, for a text encoder that is not a transformer. */
  public static ObjectNode textMinimal(int hiddenSize, String family) {
    ObjectNode n = clipTextHead(family, eosId());
    n.put("hidden_size", hiddenSize);
    n.put("max_position_embeddings", ClipVocabulary.DEFAULT_CONTEXT_LENGTH);
    n.put("model_type", "clip_text_model");
    n.put("pad_token_id", eosId());
    n.put("vocab_size", ClipVocabulary.openAiClip().size());
    return n;
  }

  /** The leading keys of every CLIPTextModel config: architectures, family marker, BOS and EOS ids. */
  public static ObjectNode clipTextHead(String family, int eosTokenId) {
    ObjectNode n = FolderWriter.JSON.objectNode();
    ArrayNode arch = FolderWriter.JSON.arrayNode();
    arch.add("CLIPTextModel");
    n.set("architectures", arch);
    n.put(FAMILY_KEY, family);
    n.put("bos_token_id", bosId());
    n.put("eos_token_id", eosTokenId);
    return n;
  }
}
