/**
 * The ldm4j Quarkus extension under test: this module is a Quarkus application with only the
 * extension and {@code application.properties}; its tests ({@code @QuarkusTest}) talk HTTP to it.
 */
package io.github.ldm4j.it;
