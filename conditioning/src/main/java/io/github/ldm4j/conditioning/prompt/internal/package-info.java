/** Internals of the prompt parser: the A1111 attention lexer and the BREAK splitter. Not API. */
package io.github.ldm4j.conditioning.prompt.internal;
