/**
 * The ldm4j REST API (Quarkus REST): the OpenAI Images subset ({@code /v1/images/generations}),
 * ldm4j's own listings ({@code /ldm4j/samplers}, {@code /ldm4j/models}), OpenAI-shaped errors and
 * the optional API key check.
 */
package io.github.ldm4j.quarkus.runtime.rest;
