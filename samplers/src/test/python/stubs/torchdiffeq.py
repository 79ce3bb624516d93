"""Stub: k_diffusion/sampling.py imports `torchdiffeq.odeint` at module level for `log_likelihood`, which the
fixtures never call. torchdiffeq is not in Debian."""


def odeint(*args, **kwargs):
    raise NotImplementedError("torchdiffeq is stubbed; the sampler fixtures do not use it")
