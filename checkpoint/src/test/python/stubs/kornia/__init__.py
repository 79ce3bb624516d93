"""Stub: SD2's ldm/modules/encoders/modules.py imports kornia for image preprocessing of the image
embedder, which is never built here."""
