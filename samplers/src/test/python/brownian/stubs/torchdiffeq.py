"""Stand-in for `torchdiffeq`: k-diffusion imports `odeint` for `log_likelihood`, unused here."""


def odeint(*args, **kwargs):
    raise NotImplementedError("torchdiffeq is stubbed in ldm4j's fixture scripts")
