/**
 * The model-folder writer: {@code model_index.json}, {@code scheduler/scheduler_config.json},
 * tokenizer files and per-component {@code config.json}. Not API.
 */
package io.github.ldm4j.testkit.internal.folder;
