/** Internals shared by the model families: seeded weights and common subgraphs. Not API. */
package io.github.ldm4j.testkit.internal;
