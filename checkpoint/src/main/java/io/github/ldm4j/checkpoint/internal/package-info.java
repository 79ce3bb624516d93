/** Helpers shared by the checkpoint readers; not API. */
package io.github.ldm4j.checkpoint.internal;
