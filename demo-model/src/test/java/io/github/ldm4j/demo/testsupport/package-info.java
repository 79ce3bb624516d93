/**
 * Test helpers shared with testkit's tests through this module's test-jar: {@link
 * io.github.ldm4j.demo.testsupport.OrtFolder} (ONNX Runtime over a generated folder, in the
 * flavor's dtypes), {@link io.github.ldm4j.demo.testsupport.ContractCheck} (the export contract of
 * a loaded folder), {@link io.github.ldm4j.demo.testsupport.DdimLoop} (a plain DDIM sampler) and
 * {@link io.github.ldm4j.demo.testsupport.PromptIds} (CLIP ids of the shapes prompts' words).
 */
package io.github.ldm4j.demo.testsupport;
