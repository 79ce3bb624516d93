/** Prompt to conditioning: the CLIP tokenizer, prompt-weighting syntax and classifier-free guidance. (Being built; see its issue.) */
package io.github.ldm4j.conditioning;
