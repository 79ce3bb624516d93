/**
 * Seeded Gaussian noise that reproduces the reference generators people compare against:
 * PyTorch's CPU generator ({@link io.github.ldm4j.random.TorchGenerator}) and NumPy's legacy
 * {@code RandomState} ({@link io.github.ldm4j.random.NumpyRandomState}), both behind {@link
 * io.github.ldm4j.random.RandomSource} and created from a seed by {@link
 * io.github.ldm4j.random.RngKind#create(long)}. GPU generators (CUDA's Philox) are not reproduced.
 */
package io.github.ldm4j.random;
