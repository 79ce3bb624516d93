/**
 * Seeded Gaussian noise that reproduces the reference generators people compare against:
 * PyTorch's CPU generator and NumPy's legacy {@code RandomState}.
 */
package io.github.ldm4j.random;
