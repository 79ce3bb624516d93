"""Imports the pinned reference code exported by prepare_sources.sh ($REF_SRC) and checks where it came from.

k_diffusion's package __init__ pulls in training modules (and their dependencies) that sampling does
not need, so the package is registered by path and only `k_diffusion.sampling` (with its
`k_diffusion.utils`) is imported.
"""
import importlib
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
REF_SRC = os.environ.get("REF_SRC", "/tmp/ldm4j-brownian-src")

sys.path.insert(0, os.path.join(HERE, "stubs"))
sys.path.insert(0, os.path.join(REF_SRC, "torchsde"))
_kd = types.ModuleType("k_diffusion")
_kd.__path__ = [os.path.join(REF_SRC, "k_diffusion", "k_diffusion")]
sys.modules["k_diffusion"] = _kd

sampling = importlib.import_module("k_diffusion.sampling")
torchsde = importlib.import_module("torchsde")

for mod in (sampling, torchsde):
    assert os.path.abspath(mod.__file__).startswith(os.path.abspath(REF_SRC)), mod.__file__


def commits():
    out = {}
    for name in ("k_diffusion", "torchsde"):
        with open(os.path.join(REF_SRC, name, "COMMIT")) as f:
            out[name] = f.read().strip()
    return out
