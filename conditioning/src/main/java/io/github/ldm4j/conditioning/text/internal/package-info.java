/** Internals of prompt encoding: A1111's chunking of weighted tokens and the emphasis. Not API. */
package io.github.ldm4j.conditioning.text.internal;
