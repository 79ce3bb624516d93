/**
 * Model-folder files that are not networks: the CLIP BPE vocabulary ({@link
 * io.github.ldm4j.testkit.folder.ClipBpeVocabulary}) from which {@code tokenizer/vocab.json} and
 * {@code merges.txt} are derived.
 */
package io.github.ldm4j.testkit.folder;
