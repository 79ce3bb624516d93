"""Align Your Steps fixture (issue #18): runs ComfyUI's AlignYourStepsScheduler (comfy_extras/
nodes_align_your_steps.py, exported by prepare_sources.sh as 'comfyui') for model_type SD1 at 1..40, 50 and
100 steps, denoise 1, and writes ../resources/fixtures/schedules/align_your_steps-sd1.json with

  noise_levels: ComfyUI's NOISE_LEVELS["SD1"] (float64),
  interp[n]:    loglinear_interp(NOISE_LEVELS["SD1"], n + 1) in float64 (for n = 10: the levels themselves),
  sigmas[n]:    get_sigmas("SD1", n, 1.0), the float32 SIGMAS ComfyUI samples with (last = 0),
  sd_sigmas_at_published: SD's float64 sigma at NVIDIA's published timesteps, for comparison.

    PYTHONPATH=$REF_SRC/comfyui /usr/bin/python3 gen_ays.py
"""
import json
import os

import numpy as np

from comfy_extras import nodes_align_your_steps as ays

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "fixtures", "schedules", "align_your_steps-sd1.json"))
REF = os.environ.get("REF_SRC", "/tmp/ldm4j-sampler-ref-src")
PUBLISHED = [999, 850, 736, 645, 545, 455, 343, 233, 124, 24, 0]  # NVIDIA's AYS quick-start guide, SD 1.5


def main():
    with open(os.path.join(REF, "comfyui", "COMMIT")) as f:
        source = f.read().strip()
    levels = ays.NOISE_LEVELS["SD1"]
    betas = np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=np.float64) ** 2
    ac = np.cumprod(1.0 - betas)
    sd = np.sqrt((1 - ac) / ac)
    steps = list(range(1, 41)) + [50, 100]
    out = {
        "source": source + " comfy_extras/nodes_align_your_steps.py",
        "published_timesteps": PUBLISHED,
        "noise_levels": list(levels),
        "sd_sigmas_at_published": [float(sd[t]) for t in PUBLISHED],
        "interp": {str(n): [float(v) for v in (levels if n + 1 == len(levels) else ays.loglinear_interp(levels, n + 1))]
                   for n in steps},
        "sigmas": {str(n): [float(v) for v in ays.AlignYourStepsScheduler().get_sigmas("SD1", n, 1.0)[0].tolist()]
                   for n in steps},
    }
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
