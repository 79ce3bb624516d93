"""Prints the golden values used by TorchGeneratorTest and NumpyRandomStateTest.

Not run by the build. Needs torch (CPU) and numpy:
    python3 torch_randn_golden.py                          # x86-64: AVX2/AVX-512 kernel
    ATEN_CPU_CAPABILITY=default python3 torch_randn_golden.py   # portable kernel
Values were taken from torch 2.11.0 and numpy 2.4.6 / 2.5.2.
"""
import zlib

import numpy as np
import torch


def values(t):
    return [float(x) for x in t.flatten().tolist()]


def crc(t):
    # CRC-32 of the float32 values as little-endian bytes.
    return hex(zlib.crc32(t.numpy().astype('<f4').tobytes()))


print("torch", torch.__version__, torch.backends.cpu.get_cpu_capability())
torch.manual_seed(0); print("seed 0 randn(3)", values(torch.randn(3)))
torch.manual_seed(0); print("seed 0 randn(16)", values(torch.randn(16)))
torch.manual_seed(0); print("seed 0 randn(17)", values(torch.randn(17)))
torch.manual_seed(0); print("seed 0 randn(20)", values(torch.randn(20)))
torch.manual_seed(0); print("seed 0 randn(())", values(torch.randn(())))
torch.manual_seed(42); t = torch.randn(1, 4, 64, 64)
print("seed 42 latent head", values(t)[:8], "tail", values(t)[-16:])
print("  sum f32", float(t.sum()), "sum f64", float(t.double().sum()), "crc", crc(t))
torch.manual_seed(9); t = torch.randn(1000003)
print("seed 9 1000003 head", values(t[:4]), "tail", values(t[-20:]), "crc", crc(t))
torch.manual_seed(5); t = torch.randn(2, 4, 64, 64).double()
print("seed 5 batch sum", float(t.sum()), "sumsq", float((t * t).sum()),
      "at", values(t.flatten()[[0, 1, 15, 16, 1000, 32767]].float()))
torch.manual_seed(7)
print("seed 7 sequence", [values(torch.randn(n)) for n in (3, 1, 20, 2, 5)])
torch.manual_seed(123)
print("seed 123 sequence", values(torch.randn(2, 3)), values(torch.randn(33)))
for s in (2**32, -1, 0xffff_ffff_ffff_ffff, 1234567890123):
    torch.manual_seed(s); print("seed", s, values(torch.randn(5 if s != 1234567890123 else 18)))

print("numpy", np.__version__)
r = np.random.RandomState(42); a = r.randn(1, 4, 64, 64); f = a.ravel()
print("seed 42 head", [repr(x) for x in f[:4]], "at", [repr(f[i]) for i in (4, 5, 1000, 16383)],
      "sum of float32", repr(float(a.astype(np.float32).astype(np.float64).sum())))
print("seed 0", [repr(x) for x in np.random.RandomState(0).randn(5)])
r = np.random.RandomState(7); print("seed 7 sequence", [[repr(x) for x in r.randn(n)] for n in (3, 1, 2)])
print("seed 1 random_sample", [repr(x) for x in np.random.RandomState(1).random_sample(3)])
print("seed 2**32-1", [repr(x) for x in np.random.RandomState(2**32 - 1).randn(3)])
r = np.random.RandomState(123)
print("seed 123 mixed", repr(r.standard_normal()), repr(r.randn()), repr(r.random_sample()),
      [repr(x) for x in r.randn(2)])
