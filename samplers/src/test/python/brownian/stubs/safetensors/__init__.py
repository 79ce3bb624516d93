"""Empty stand-in: k_diffusion.utils imports `safetensors` at module level; nothing here uses it."""
