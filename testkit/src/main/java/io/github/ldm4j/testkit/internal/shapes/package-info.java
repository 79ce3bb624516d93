/** Graph builders of the shapes oracle. Not API. */
package io.github.ldm4j.testkit.internal.shapes;
