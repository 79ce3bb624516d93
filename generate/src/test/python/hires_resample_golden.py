"""Golden values for ldm4j's hires-fix resampling (generate/src/test/resources/golden/hires/).

Run with Debian's torch 1.13.1 (python3-torch 1.13.1+dfsg-4, which reports 1.13.0a0) and Pillow 9.4.0
(python3-pil 9.4.0-1.1+deb12u1), /usr/bin/python3:
    python3 generate/src/test/python/hires_resample_golden.py generate/src/test/resources/golden/hires

Latent modes: torch.nn.functional.interpolate with the (mode, antialias) pairs of AUTOMATIC1111's
shared.latent_upscale_modes, as AUTOMATIC1111/stable-diffusion-webui's modules/processing.py
(commit 0027ce1f6e58c5f4279173e468a60aef420babfe, sample_hr_pass) calls F.interpolate: size given,
mode and antialias from the table, align_corners left at its default (False). Pixel modes: PIL Image.resize with Image.LANCZOS and Image.NEAREST, as A1111's
"Lanczos" and "Nearest" upscalers call it. Inputs are deterministic (no RNG), written alongside.
"""
import sys, os, math
import torch
import torch.nn.functional as F
from PIL import Image

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

MODES = {
    "latent": ("bilinear", False),
    "latent_antialiased": ("bilinear", True),
    "latent_bicubic": ("bicubic", False),
    "latent_bicubic_antialiased": ("bicubic", True),
    "latent_nearest": ("nearest", False),
    "latent_nearest_exact": ("nearest-exact", False),
}

# input [1, 2, 5, 6]: smooth plus a sharp feature, float32
n, c, h, w = 1, 2, 5, 6
vals = []
for k in range(c):
    for y in range(h):
        for x in range(w):
            vals.append(math.sin(0.7 * x + 1.3 * y + k) + (1.5 if (x == 2 and y == 3) else 0.0) - 0.2 * k)
inp = torch.tensor(vals, dtype=torch.float32).reshape(n, c, h, w)

def write(name, t):
    with open(os.path.join(out, name), "w") as f:
        f.write(" ".join(str(d) for d in t.shape) + "\n")
        f.write("\n".join(repr(float(v)) for v in t.flatten().tolist()) + "\n")

write("latent_input.txt", inp)
for size in [(10, 12), (8, 9), (5, 6)]:
    for name, (mode, aa) in MODES.items():
        kw = {}
        if mode in ("bilinear", "bicubic"):
            kw["align_corners"] = False
        o = F.interpolate(inp, size=size, mode=mode, antialias=aa, **kw)
        write(f"{name}_{size[0]}x{size[1]}.txt", o)

# RGB image 7x5 (w x h), 8-bit
W, H = 7, 5
img = Image.new("RGB", (W, H))
px = []
for y in range(H):
    for x in range(W):
        px.append(((x * 37 + y * 11) % 256, (255 - x * 29 - y * 7) % 256, 255 if (x + y) % 3 == 0 else (x * y * 13) % 256))
img.putdata(px)

def write_img(name, im):
    with open(os.path.join(out, name), "w") as f:
        f.write(f"{im.width} {im.height}\n")
        f.write(" ".join(str(v) for p in im.getdata() for v in p) + "\n")

write_img("rgb_input.txt", img)
for size in [(14, 10), (11, 8), (7, 5)]:
    write_img(f"lanczos_{size[0]}x{size[1]}.txt", img.resize(size, resample=Image.LANCZOS))
    write_img(f"nearest_{size[0]}x{size[1]}.txt", img.resize(size, resample=Image.NEAREST))
print("torch", torch.__version__, "PIL", Image.__version__)
