/**
 * The ldm4j REST API (Quarkus REST): the OpenAI Images subset ({@code /v1/images/generations},
 * {@code /v1/images/edits}, {@code /v1/images/variations}, the images' URLs {@code /v1/images/files/{id}},
 * {@code /v1/models}), the AUTOMATIC1111 subset ({@code /sdapi/v1/*}), ldm4j's own listings
 * and progress streams ({@code /ldm4j/samplers}, {@code /ldm4j/models}, {@code /ldm4j/progress},
 * {@code /ldm4j/progress/{taskId}}), OpenAI-shaped errors, the optional API key check, and the
 * cancellation of generations whose client disconnects.
 */
package io.github.ldm4j.quarkus.runtime.rest;
