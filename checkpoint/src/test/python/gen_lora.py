"""Generates the LoRA merge fixtures (fixtures/lora) by RUNNING the original code:

* kohya-ss/sd-scripts `networks/lora.py`: `LoRAInfModule(...).merge_to(...)` merges each LoRA module into
  the weight of the layer it modifies (linear, 1x1 conv, 3x3 "LoCon" conv), and its naming rule
  (`lora_unet_` / `lora_te_` + the diffusers / transformers module path with `.` -> `_`) names the keys;
* kohya-ss/sd-scripts `library/model_util.py`: `convert_ldm_unet_checkpoint` (CompVis UNet keys -> the
  diffusers module names kohya's LoRA names follow) and `convert_ldm_clip_checkpoint_v2` (SD 2.x OpenCLIP
  keys -> transformers names, splitting the fused in_proj into q/k/v);
* the merged state dicts are loaded (strict) into CompVis' / Stability-AI's original modules through
  gen_sd1.py / gen_sd2.py, which produce the reference outputs as they do for the base fixtures.

The LoRA files themselves are random (seeded) kohya-format files: AUTOMATIC1111's `extensions-builtin/Lora`
could not be fetched here (the repository exceeds the session's fetch limit), so the merge formula is the one
sd-scripts' lora.py implements (W + multiplier * (alpha / rank) * up @ down; alpha missing -> rank, as its
create_network_from_weights does). Run through run_fixtures.sh (`lora-sd1` / `lora-sd2`); see README.md.
"""

import math
import os
import sys
import types

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("REF_SRC", "/tmp/ldm4j-ref-src")
OUT_ROOT = os.environ.get("FIXTURES_OUT", os.path.join(HERE, "..", "resources", "fixtures"))
OUT = os.path.join(OUT_ROOT, "lora")

import fixture_io as fio  # noqa: E402


def _stub_kohya_imports():
    """sd-scripts' lora.py / model_util.py import diffusers, transformers, safetensors and sd-scripts modules
    that need them at module level; none of those names is used by the functions called here
    (LoRAInfModule, merge_to, convert_ldm_unet_checkpoint, convert_ldm_clip_checkpoint_v2). Placeholders
    raise if ever called."""

    class Unavailable:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("stub: not available to the ldm4j fixtures")

    def module(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    u = Unavailable
    # __version__: the diffusers version sd-scripts' requirements.txt pins (model_util branches on it)
    module("diffusers", __version__="0.32.1", AutoencoderKL=u, DDIMScheduler=u, StableDiffusionPipeline=u, UNet2DConditionModel=u)
    if "transformers" not in sys.modules:
        import transformers  # noqa: F401  the ldm4j stub package (stubs/transformers)
    tf = sys.modules["transformers"]
    for n in ("CLIPTextModel", "CLIPTokenizer", "CLIPTextConfig"):
        setattr(tf, n, getattr(tf, n, u))
    tf.logging = types.SimpleNamespace(set_verbosity_error=lambda: None)
    module("safetensors")
    module("safetensors.torch", load_file=u, save_file=u, safe_open=u)
    module("library.utils", setup_logging=lambda *a, **k: None)
    module("library.original_unet", UNet2DConditionModel=u)
    module("library.sdxl_original_unet", SdxlUNet2DConditionModel=u)


_stub_kohya_imports()
sys.path.insert(0, os.path.join(SRC, "sd_scripts"))
from library import model_util  # noqa: E402  kohya-ss/sd-scripts
from networks import lora as kohya_lora  # noqa: E402

for mod in (model_util, kohya_lora):
    assert os.path.abspath(mod.__file__).startswith(os.path.join(os.path.abspath(SRC), "sd_scripts")), mod.__file__

# Kohya's LoRA targets (networks/lora.py, LoRANetwork.*_TARGET_REPLACE_MODULE): the Linear / Conv2d children
# of Transformer2DModel (UNet attentions.N), of ResnetBlock2D / Downsample2D / Upsample2D (3x3 "LoCon" with
# conv_dim), and of CLIPAttention / CLIPMLP. Selected here by the diffusers / transformers names.
UNET_TRANSFORMER = ("proj_in", "proj_out", "attn1.to_q", "attn1.to_k", "attn1.to_v", "attn1.to_out.0",
                    "attn2.to_q", "attn2.to_k", "attn2.to_v", "attn2.to_out.0", "ff.net.0.proj", "ff.net.2")
UNET_RESNET = ("conv1", "conv2", "conv_shortcut", "time_emb_proj")
TEXT = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "mlp.fc1", "mlp.fc2")


def is_target(diffusers_module):
    if ".attentions." in diffusers_module:
        return diffusers_module.endswith(UNET_TRANSFORMER)
    if ".resnets." in diffusers_module:
        return diffusers_module.endswith(UNET_RESNET)
    return diffusers_module.endswith(("downsamplers.0.conv", "upsamplers.0.conv"))


def unet_modules(sd, v2, layers_per_block):
    """kohya LoRA name -> the CompVis tensor (a view of it: writing into it writes the checkpoint)."""
    diffusers = model_util.convert_ldm_unet_checkpoint(v2, dict(sd), {"layers_per_block": layers_per_block,
                                                                       "use_linear_projection": v2})
    by_ptr = {t.data_ptr(): t for k, t in sd.items() if k.startswith("model.diffusion_model.")}
    out = {}
    for k, t in diffusers.items():
        if not k.endswith(".weight"):
            continue
        module = k[:-len(".weight")]
        if is_target(module):
            # convert_ldm_unet_checkpoint hands over the CompVis tensors themselves (or views of them)
            target = by_ptr[t.data_ptr()]
            assert target.numel() == t.numel()
            out["lora_unet_" + module.replace(".", "_")] = target.view(t.shape) if t.shape != target.shape else target
    return out


def text_modules_sd1(sd):
    p = "cond_stage_model.transformer."
    out = {}
    for k, t in sd.items():
        if k.startswith(p) and k.endswith(".weight") and k[:-len(".weight")].endswith(TEXT):
            out["lora_te_" + k[len(p):-len(".weight")].replace(".", "_")] = t
    return out


def text_modules_sd2(sd):
    converted = model_util.convert_ldm_clip_checkpoint_v2(dict(sd), 77)  # q/k/v are chunks (views) of in_proj
    out = {}
    for k, t in converted.items():
        if k.endswith(".weight") and k[:-len(".weight")].endswith(TEXT):
            out["lora_te_" + k[:-len(".weight")].replace(".", "_")] = t
    return out


def make_lora(modules, gen, rank, conv_rank, alpha, conv_alpha, dtype, select=lambda name: True):
    """Random kohya-format LoRA tensors for the selected modules: lora_down / lora_up (+ alpha)."""
    tensors = {}
    for name in sorted(modules):
        if not select(name):
            continue
        w = modules[name]
        conv3 = w.dim() == 4 and w.shape[2:] != (1, 1)
        r = conv_rank if conv3 else rank
        a = conv_alpha if conv3 else alpha
        out_dim, in_dim = w.shape[0], w.shape[1]
        fan_in = w[0].numel()
        down_shape = (r, in_dim) + tuple(w.shape[2:])
        up_shape = (out_dim, r) + ((1, 1) if w.dim() == 4 else ())
        # scaled so that the merged change is a visible fraction of the weight
        tensors[name + ".lora_down.weight"] = (torch.randn(down_shape, generator=gen) / math.sqrt(fan_in)).to(dtype)
        tensors[name + ".lora_up.weight"] = (torch.randn(up_shape, generator=gen) * 0.5 / math.sqrt(r)).to(dtype)
        if a is not None:
            tensors[name + ".alpha"] = torch.tensor(float(a)).to(dtype)
    return tensors


def merge(modules, lora, te_multiplier, unet_multiplier):
    """sd-scripts' LoRAInfModule.merge_to for every module of the LoRA, writing into the checkpoint tensors."""
    names = sorted({k.split(".")[0] for k in lora})
    for name in names:
        target = modules[name]
        down, up = lora[name + ".lora_down.weight"], lora[name + ".lora_up.weight"]
        dim = down.shape[0]
        # create_network_from_weights: a missing alpha is the rank
        alpha = lora[name + ".alpha"] if name + ".alpha" in lora else dim
        if target.dim() == 4:
            org = torch.nn.Conv2d(target.shape[1], target.shape[0], tuple(target.shape[2:]),
                                  padding=(target.shape[2] // 2, target.shape[3] // 2), bias=False)
        else:
            org = torch.nn.Linear(target.shape[1], target.shape[0], bias=False)
        with torch.no_grad():
            org.weight.copy_(target)
        multiplier = te_multiplier if name.startswith("lora_te_") else unet_multiplier
        module = kohya_lora.LoRAInfModule(name, org, multiplier, dim, alpha)
        module.merge_to({"lora_up.weight": up, "lora_down.weight": down}, torch.float32, "cpu")
        with torch.no_grad():
            target.copy_(org.weight)


def read_inputs(base_dir, names):
    import json
    manifest = json.load(open(os.path.join(base_dir, "manifest.json")))
    out = {}
    for n in names:
        e = manifest["tensors"][n]
        raw = bytearray(open(os.path.join(base_dir, e["file"]), "rb").read())
        out[n] = torch.frombuffer(raw, dtype=fio.ST_FROM_NAME[e["dtype"]]).reshape(e["shape"]).clone()
    return out


def main(which):
    os.makedirs(os.path.join(OUT, "ref"), exist_ok=True)
    manifest_path = os.path.join(OUT, "manifest.json")
    import json
    manifest = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {
        "fixture": "lora", "generator": "checkpoint/src/test/python/gen_lora.py", "cases": {}, "files": {},
        "tensors": {}}
    manifest["sources"] = {"sd_scripts": fio.read_commit(SRC, "sd_scripts"),
                           which: fio.read_commit(SRC, which)}
    manifest["environment"] = fio.environment()
    ref = fio.RefWriter(OUT)
    ref.entries = {k: v for k, v in manifest["tensors"].items() if not k.startswith(which + "_")}
    gen = torch.Generator().manual_seed({"sd1": 11, "sd2": 12}[which])

    if which == "sd1":
        import gen_sd1 as g
        base_dir = g.OUT
        base, _ = fio.read_safetensors(os.path.join(base_dir, g.NAME + "-fp32.safetensors"))
        base = {k: v for k, v in base.items() if not k.startswith("model_ema.")}
        v2 = False
    else:
        import gen_sd2 as g
        base_dir = g.OUT
        base, _ = fio.read_safetensors(os.path.join(base_dir, g.NAME + "-fp32.safetensors"))
        v2 = True

    def modules_of(sd):
        m = unet_modules(sd, v2, g.UNET["num_res_blocks"])
        m.update(text_modules_sd2(sd) if v2 else text_modules_sd1(sd))
        return m

    modules = modules_of(base)
    files = {}
    if which == "sd1":
        # A: fp16, rank 4 (linear, 1x1 proj_in/out) with alpha 2, 3x3 LoCon rank 4 alpha 1, every target
        files["sd1_a"] = make_lora(modules, gen, 4, 4, 2.0, 1.0, torch.float16)
        # B: fp32, rank 8, no alpha (scale 1), a subset: text q/v, cross-attention k/v, proj_in, resnet conv1 (LoCon)
        files["sd1_b"] = make_lora(modules, gen, 8, 8, None, None, torch.float32, select=lambda n: n.endswith(
            ("q_proj", "v_proj", "attn2_to_k", "attn2_to_v", "proj_in", "resnets_0_conv1")))
        cases = {"sd1_a_1": [("sd1_a", 1.0, 1.0)],
                 "sd1_ab_frac": [("sd1_a", 0.5, 0.75), ("sd1_b", 1.0, -0.4)]}
    else:
        # C: fp32 up/down, fp16 alpha 4, rank 8 linear (proj_in/out are linear in SD 2.x), 3x3 LoCon rank 4 alpha 2;
        # the text encoder's q/k/v are row blocks of the fused in_proj; layer 1 (the last) does not reach the
        # penultimate output SD 2.x uses, but is mapped all the same
        c = make_lora(modules, gen, 8, 4, 4.0, 2.0, torch.float32)
        c = {k: (v.to(torch.float16) if k.endswith(".alpha") else v) for k, v in c.items()}
        files["sd2_c"] = c
        cases = {"sd2_c_1": [("sd2_c", 1.0, 1.0)], "sd2_c_frac": [("sd2_c", 0.6, 1.3)]}

    for name, tensors in files.items():
        path = os.path.join(OUT, name + ".safetensors")
        fio.write_safetensors(path, tensors, {"ss_network_module": "networks.lora"})
        files_meta = {"base": os.path.relpath(os.path.join(base_dir, g.NAME + "-fp32.safetensors"), OUT_ROOT),
                      "tensors": len(tensors), "bytes": os.path.getsize(path),
                      "dtypes": sorted({fio.ST_DTYPES[t.dtype] for t in tensors.values()})}
        manifest["files"][name + ".safetensors"] = files_meta

    if which == "sd1":
        inputs = read_inputs(base_dir, ["text_ids", "unet_x", "unet_t_a", "unet_context"])
    else:
        inputs = read_inputs(base_dir, ["text_ids", "unet_x", "unet_t_a", "unet_context"])
    for case, loras in cases.items():
        sd = {k: v.clone() for k, v in base.items()}
        mods = modules_of(sd)
        for file_name, te, unet in loras:
            lora, _ = fio.read_safetensors(os.path.join(OUT, file_name + ".safetensors"))
            merge(mods, lora, te, unet)
        changed = sum(1 for k in base if not torch.equal(base[k], sd[k]))
        if which == "sd1":
            ldm, clip_model = g.load_from_checkpoint(sd, False)  # strict for the UNet; CLIP text fully loaded
            hidden, last = g.text_forward(clip_model, inputs["text_ids"])
            with torch.no_grad():
                unet_out = ldm.model.diffusion_model(inputs["unet_x"], inputs["unet_t_a"], context=inputs["unet_context"])
            ref.add(case + "_text_last_hidden_state", last, "last_hidden_state after merging " + str(loras))
        else:
            emb = g.build_embedder()
            ldm = g.LatentDiffusionStandIn(emb).eval()
            ldm.load_state_dict(sd, strict=True)
            last, _ = g.text_forward(emb, inputs["text_ids"], "penultimate")
            with torch.no_grad():
                unet_out = ldm.model.diffusion_model(inputs["unet_x"], inputs["unet_t_a"], context=inputs["unet_context"])
            ref.add(case + "_text_penultimate", last, "penultimate (ln_final) context after merging " + str(loras))
        ref.add(case + "_unet_out_a", unet_out, "UNetModel(unet_x, unet_t_a, unet_context) of " + g.NAME
                + " after merging " + str(loras))
        manifest["cases"][case] = {"base": g.NAME, "inputs": "the base fixture's ref/ text_ids, unet_x, unet_t_a, "
                                   "unet_context", "loras": [{"file": f + ".safetensors", "te": te, "unet": u}
                                                              for f, te, u in loras],
                                   "changed_tensors": changed}
        print(case, "changed", changed, "tensors")
    manifest["tensors"] = dict(sorted(ref.entries.items()))
    fio.write_json(manifest_path, manifest)


if __name__ == "__main__":
    main(sys.argv[1])
