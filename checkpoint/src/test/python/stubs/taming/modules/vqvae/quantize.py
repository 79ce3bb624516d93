"""Stub: CompVis' ldm/models/autoencoder.py imports this for VQModel, which is never built here."""


class VectorQuantizer2:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("taming stub: VQ models are not used by the ldm4j fixtures")
