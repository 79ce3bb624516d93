"""Stub: k_diffusion/utils.py imports `safetensors` at module level (checkpoint saving); the samplers only use
utils.append_dims. safetensors' Python package is not in Debian."""
