/** Internals of the SD fixtures: seeded weights. Not API. */
package io.github.ldm4j.testkit.internal;
