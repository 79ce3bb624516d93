/** Internals of guidance: batching conditioning, the guidance-rescale formula. Not API. */
package io.github.ldm4j.conditioning.guidance.internal;
