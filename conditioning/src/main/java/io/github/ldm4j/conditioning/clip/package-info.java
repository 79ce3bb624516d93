/**
 * The CLIP BPE tokenizer ({@link io.github.ldm4j.conditioning.clip.ClipTokenizer}) and its
 * vocabulary ({@link io.github.ldm4j.conditioning.clip.ClipVocabulary}): OpenAI's merges file
 * shipped as a resource of this module, or a model's Hugging Face {@code tokenizer/} folder.
 */
package io.github.ldm4j.conditioning.clip;
