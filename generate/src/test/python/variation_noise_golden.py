"""Golden initial noise with AUTOMATIC1111's variation seeds and seed resize
(generate/src/test/resources/golden/variation/noise.txt), for InitialNoiseTest.

Runs A1111's own ImageRNG and slerp: modules/rng.py of AUTOMATIC1111/stable-diffusion-webui
(commit 0d5dc9a6e7f6362e423a06bf0e75dd5854025394) is read from the file given as the first argument
and executed with stand-ins for modules.devices / modules.shared that select CPU noise
(opts.randn_source = "CPU", no eta noise seed delta): the torch CPU generator ldm4j's RngKind.TORCH
reproduces. Nothing of A1111 is copied here.

    /usr/bin/python3 generate/src/test/python/variation_noise_golden.py /path/to/modules/rng.py \
        generate/src/test/resources/golden/variation/noise.txt

Values were taken with Debian's torch 1.13.1 (python3-torch 1.13.1+dfsg-4, reports 1.13.0a0).
"""
import sys
import types

import torch

rng_source, out = sys.argv[1], sys.argv[2]

modules = types.ModuleType("modules")
devices = types.ModuleType("modules.devices")
devices.cpu = torch.device("cpu")
devices.device = torch.device("cpu")
shared = types.ModuleType("modules.shared")
shared.opts = types.SimpleNamespace(randn_source="CPU", eta_noise_seed_delta=0)
shared.device = torch.device("cpu")
philox = types.ModuleType("modules.rng_philox")
modules.devices, modules.shared, modules.rng_philox = devices, shared, philox
sys.modules.update({"modules": modules, "modules.devices": devices, "modules.shared": shared,
                    "modules.rng_philox": philox})

rng = types.ModuleType("modules.rng")
with open(rng_source) as f:
    exec(compile(f.read(), rng_source, "exec"), rng.__dict__)


def case(name, shape, seeds, subseeds, strength, resize_h=0, resize_w=0):
    g = rng.ImageRNG(shape, seeds, subseeds=subseeds, subseed_strength=strength,
                     seed_resize_from_h=resize_h, seed_resize_from_w=resize_w)
    first = g.next()  # ImageRNG.first()
    second = g.next()  # the per-image generators continue after their first draw
    return "\n".join([
        "case " + name,
        "shape " + " ".join(str(d) for d in shape),
        "seeds " + " ".join(str(x) for x in seeds),
        "subseeds " + " ".join(str(x) for x in (subseeds or [])),
        "strength " + repr(strength),
        "resize %d %d" % (resize_h, resize_w),
        "first " + " ".join(repr(float(v)) for v in first.flatten().tolist()),
        "second " + " ".join(repr(float(v)) for v in second.flatten().tolist()),
    ])


cases = [
    # A1111 keeps one seed for the batch with a variation and counts the subseeds up
    case("variation", (4, 6, 5), [1234, 1234], [99, 100], 0.3),
    case("variation_full", (4, 6, 5), [7], [8], 1.0),
    # subseed == seed: the cosines are 1, A1111's lerp fallback
    case("variation_same_seed", (4, 6, 5), [5], [5], 0.5),
    # seed drawn at 48x80 px (6x10 latent) into 64x64 (8x8): rows padded, columns cropped
    case("resize", (4, 8, 8), [321], None, 0.0, resize_h=48, resize_w=80),
    case("resize_variation", (4, 8, 8), [321, 321], [11, 12], 0.6, resize_h=80, resize_w=40),
]
with open(out, "w") as f:
    f.write("# torch %s; one case per block: A1111 ImageRNG(shape, seeds, subseeds, strength, resize h/w): its first and second next()\n" % torch.__version__)
    f.write("\n".join(cases) + "\n")
