package io.github.ldm4j.random;

import io.github.ldm4j.random.internal.TorchBoxMuller;

/**
 * Which of ATen's CPU kernels turns blocks of 16 uniforms into normals when {@code torch.randn}
 * fills a float32 tensor of at least 16 elements. The kernels use the same random numbers and
 * the same Box–Muller pairing; they differ only in how ln, sin and cos are evaluated: in torch
 * 2.11, 39% of the values of a [1, 4, 64, 64] latent differ between the two, by at most
 * 2.4·10<sup>−6</sup>.
 * Tensors of fewer than 16 elements take the scalar double-precision path, identical everywhere.
 */
public enum TorchNormalKernel {
  /**
   * The kernel of x86-64 builds whose CPU has AVX2 (PyTorch's {@code ATEN_CPU_CAPABILITY}
   * {@code avx2} and {@code avx512}): Cephes single-precision polynomials with fused multiply-adds.
   * Reproduced bit for bit. This is what a stock PyTorch wheel runs on any recent Intel or AMD CPU.
   */
  AVX2 {
    @Override
    void transform16(float[] data, int offset) {
      TorchBoxMuller.avx2(data, offset);
    }
  },
  /**
   * The portable kernel ({@code ATEN_CPU_CAPABILITY=default}, and ARM builds such as Apple
   * silicon): the C library's {@code logf}, {@code cosf} and {@code sinf}, taken here as correctly
   * rounded. Agrees with torch's x86-64 glibc build to within 2 float32 ulps of max(|value|, 1)
   * (98.5% of values identical); other C libraries may differ as much from each other.
   */
  PORTABLE {
    @Override
    void transform16(float[] data, int offset) {
      TorchBoxMuller.portable(data, offset);
    }
  };

  /** Box–Muller on {@code data[offset .. offset + 16)}, in place. */
  abstract void transform16(float[] data, int offset);
}
