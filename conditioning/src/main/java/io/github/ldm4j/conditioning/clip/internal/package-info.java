/**
 * Internals of the CLIP tokenizer: text cleaning (HTML unescape, whitespace, case), the CLIP split
 * pattern, the byte-to-unicode map, rank-ordered BPE over ids, the bounded cache and the readers
 * of Hugging Face tokenizer files. Not API.
 */
package io.github.ldm4j.conditioning.clip.internal;
