"""Writes ../../resources/brownian/brownian.json: k-diffusion's SDE samplers with their default
Brownian-tree noise, torchsde's BrownianTree itself, and NumPy's SeedSequence, on small inputs.

Run prepare_sources.sh first; see README.md. Everything is CPU float32 as the references run it,
except the analytic denoiser, which computes in float64 and rounds to float32.
"""
import json
import os

import numpy as np
import torch

import refs

sampling = refs.sampling
torchsde = refs.torchsde
# PyTorch picks its CPU kernels by instruction set (AVX2 here); ATEN_CPU_CAPABILITY=default selects the
# portable ones, whose float32 exp/log round differently in a few cases. Both runs are kept: brownian.json
# (the machine's own dispatch) and brownian-default.json (ATEN_CPU_CAPABILITY=default).
CAPABILITY = os.environ.get("ATEN_CPU_CAPABILITY", "")
OUT = os.path.join(refs.HERE, "..", "..", "resources", "brownian",
                   "brownian-default.json" if CAPABILITY == "default" else "brownian.json")

MU, S = 0.3, 0.8  # data N(MU, S^2) per element; D(x, sigma) = MU + S^2 (x - MU) / (S^2 + sigma^2)


def denoiser(x, sigma, **kwargs):
    x64 = x.double()
    s2 = sigma.double().reshape(-1, *([1] * (x.ndim - 1))) ** 2
    return (MU + S * S * (x64 - MU) / (S * S + s2)).float()


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


class Recording:
    """Wraps a BrownianTreeNoiseSampler: records each query, the tree's raw increment and the noise returned."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = []

    def __call__(self, sigma, sigma_next):
        t0, t1 = torch.as_tensor(sigma), torch.as_tensor(sigma_next)
        raw = self.inner.tree(t0, t1)
        out = self.inner(sigma, sigma_next)
        self.calls.append({"sigma": float(t0), "sigma_next": float(t1), "increment": floats(raw), "noise": floats(out)})
        return out


SAMPLERS = {
    "dpmpp_sde": sampling.sample_dpmpp_sde,
    "dpmpp_2m_sde": sampling.sample_dpmpp_2m_sde,
    "dpmpp_3m_sde": sampling.sample_dpmpp_3m_sde,
}


def sampler_case(name, shape, steps, smin, smax, eta, seed, seeding):
    sigmas = sampling.get_sigmas_karras(steps, smin, smax)  # float32, ends in 0
    b = shape[0]
    if seeding == "per_image":  # AUTOMATIC1111: one generator and one tree per image, seeds seed + i
        seeds = [seed + i for i in range(b)]
        noise = torch.cat([torch.randn([1, *shape[1:]], generator=torch.Generator().manual_seed(s)) for s in seeds])
        tree_seed = seeds
    else:  # ComfyUI: one generator and one tree for the whole batch
        seeds = [seed]
        noise = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
        tree_seed = seed
    x = noise * sigmas[0]
    smin_pos, smax_all = sigmas[sigmas > 0].min(), sigmas.max()
    ns = Recording(sampling.BrownianTreeNoiseSampler(x, smin_pos, smax_all, seed=tree_seed))
    out = SAMPLERS[name](denoiser, x, sigmas, disable=True, eta=eta, noise_sampler=ns)
    # The same call with noise_sampler=None builds the default BrownianTreeNoiseSampler(x, sigma_min,
    # sigma_max) with a seed from torch.randint; with that seed passed explicitly it must agree.
    return {
        "sampler": name, "shape": list(shape), "eta": eta, "seeding": seeding, "seeds": seeds,
        "sigmas": floats(sigmas), "x_final": floats(out), "noise_calls": ns.calls,
    }


def default_path_case(name, shape, steps, seed):
    """k-diffusion alone: torch.manual_seed(seed); x = randn * sigma_max; sampler with noise_sampler=None."""
    sigmas = sampling.get_sigmas_karras(steps, 0.1, 10.0)
    torch.manual_seed(seed)
    x = torch.randn(shape) * sigmas[0]
    state = torch.get_rng_state()
    entropy = torch.randint(0, 2 ** 63 - 1, []).item()  # what BatchedBrownianTree draws when seed is None
    torch.set_rng_state(state)
    out = SAMPLERS[name](denoiser, x, sigmas, disable=True)
    return {"sampler": name, "shape": list(shape), "eta": 1.0, "seeding": "entropy", "seeds": [seed],
            "entropy": str(entropy), "sigmas": floats(sigmas), "x_final": floats(out)}


def tree_case(entropy, t0, t1, shape, queries):
    tree = torchsde.BrownianTree(t0, torch.zeros(shape), t1, entropy=entropy)
    return {"entropy": entropy, "t0": t0, "t1": t1, "shape": list(shape),
            "queries": [{"ta": ta, "tb": tb, "w": floats(tree(ta, tb))} for ta, tb in queries]}


def seed_sequence_case(entropy, spawn_key, pool_size, n):
    state = np.random.SeedSequence(entropy, spawn_key=spawn_key, pool_size=pool_size).generate_state(n)
    return {"entropy": str(entropy), "spawn_key": list(spawn_key), "pool_size": pool_size,
            "state": [int(v) for v in state]}


def main():
    cases = []
    for name in SAMPLERS:
        cases.append(sampler_case(name, (1, 4, 4, 4), 6, 0.1, 10.0, 1.0, 42, "per_image"))
        cases.append(sampler_case(name, (2, 4, 4, 4), 10, 0.0292, 14.6, 1.0, 1234, "per_image"))
        cases.append(sampler_case(name, (2, 4, 4, 4), 8, 0.1, 10.0, 0.5, 7, "whole"))
        cases.append(sampler_case(name, (1, 4, 4, 4), 3, 0.1, 10.0, 0.7, 3_000_000_000, "per_image"))
        cases.append(default_path_case(name, (1, 4, 4, 4), 5, 99))
    trees = [
        tree_case(5, 0.0, 1.0, (3,), [(0.0, 1.0), (0.25, 0.5), (0.1, 0.9), (0.9, 0.95), (0.3, 0.3)]),
        tree_case(2 ** 40 + 17, 0.0291675, 14.614642, (2, 3, 4),
                  [(13.0, 14.614642), (0.0291675, 0.5), (0.123457, 7.654321), (7.0, 7.000002), (0.5, 14.0)]),
    ]
    seed_sequences = [
        seed_sequence_case(0, (), 4, 4),
        seed_sequence_case(42, (), 24, 3),
        seed_sequence_case(42, (1, 1), 24, 4),
        seed_sequence_case(123456789012345, (5, 3), 24, 4),
        seed_sequence_case(2 ** 40 + 5, (2 ** 33, 3), 4, 4),
        seed_sequence_case(7, (3,), 4, 6),
        seed_sequence_case(2 ** 200 + 3, (), 4, 5),
    ]
    doc = {"source": refs.commits(), "torch": torch.__version__, "numpy": np.__version__,
           "aten_cpu_capability": CAPABILITY or "machine (avx2)",
           "denoiser": {"mu": MU, "s": S}, "samplers": cases, "trees": trees, "seed_sequences": seed_sequences}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
