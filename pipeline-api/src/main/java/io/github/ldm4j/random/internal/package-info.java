/**
 * Implementation details of {@link io.github.ldm4j.random}: the MT19937 engine shared by the
 * PyTorch and NumPy generators, and the float32 Box–Muller kernels of PyTorch's CPU {@code randn}.
 * Not API: may change without notice.
 */
package io.github.ldm4j.random.internal;
