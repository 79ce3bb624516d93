/**
 * Test helpers for the sampler tests: analytic denoisers (point mass, Gaussian data with its closed-form
 * probability-flow solution), a seeded Gaussian source and run builders.
 */
package io.github.ldm4j.samplers.testing;
