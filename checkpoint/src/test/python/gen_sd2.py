"""Generates the SD 2.x-style small fixture (fixtures/sd2-small, v-prediction) by RUNNING the original code:

* Stability-AI/stablediffusion `ldm` (UNetModel with num_head_channels + use_linear_in_transformer via
  DiffusionWrapper, AutoencoderKL, DDPM.register_schedule (parameterization "v"),
  LatentDiffusion.apply_model / decode_first_stage, DDPM.predict_*_from_z_and_v, DDIMSampler,
  FrozenOpenCLIPEmbedder.encode_with_transformer),
* mlfoundations/open_clip v2.7.0 (the version SD2's requirements.txt pins) `open_clip.model.CLIP`,

on seeded random weights. Run through run_fixtures.sh (sets PYTHONPATH); see README.md.
"""

import copy
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("REF_SRC", "/tmp/ldm4j-ref-src")
OUT_ROOT = os.environ.get("FIXTURES_OUT", os.path.join(HERE, "..", "resources", "fixtures"))

import fixture_io as fio  # noqa: E402

import open_clip.model as oc_model  # noqa: E402  mlfoundations/open_clip
from ldm.models.autoencoder import AutoencoderKL  # noqa: E402  Stability-AI/stablediffusion
from ldm.models.diffusion.ddim import DDIMSampler  # noqa: E402
from ldm.models.diffusion.ddpm import DDPM, DiffusionWrapper, LatentDiffusion  # noqa: E402
from ldm.modules.encoders.modules import FrozenOpenCLIPEmbedder  # noqa: E402

for mod, name in ((oc_model, "open_clip"), (sys.modules["ldm.models.diffusion.ddpm"], "sd2"),
                  (sys.modules["einops"], "einops")):
    assert os.path.abspath(mod.__file__).startswith(os.path.join(os.path.abspath(SRC), name)), mod.__file__

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

NAME = "sd2-small"
OUT = os.path.join(OUT_ROOT, NAME)

# ------------------------------------------------------------ configuration (small SD 2.x, v) ----
UNET = dict(  # v2-inference-v.yaml unet_config.params, scaled down. use_fp16 False: the fp32 reference
    # (the yaml's use_fp16: True only makes forward() cast x to float16, for CUDA autocast inference).
    image_size=8, in_channels=4, out_channels=4, model_channels=32, attention_resolutions=[1],
    num_res_blocks=1, channel_mult=[1, 2], num_head_channels=32, use_spatial_transformer=True,
    use_linear_in_transformer=True, transformer_depth=1, context_dim=128, use_checkpoint=False,
    use_fp16=False, legacy=False)
DDCONFIG = dict(  # first_stage_config ddconfig, scaled down; 3 downsamplings -> latent = image / 8;
    # the 64-channel level gives GroupNorm(32) two channels per group and the ResBlocks a nin_shortcut.
    double_z=True, z_channels=4, resolution=32, in_channels=3, out_ch=3, ch=32, ch_mult=[1, 1, 1, 2],
    num_res_blocks=1, attn_resolutions=[], dropout=0.0)
EMBED_DIM = 4
TEXT = dict(  # open_clip CLIPTextCfg (ViT-H-14: width 1024, heads 16, layers 24), scaled down; GELU
    vocab_size=1024, context_length=77, width=128, heads=2, layers=2)
CLIP_EMBED_DIM = 64  # text_projection columns (unused by SD2, present in its checkpoints)
BOS, EOS, PAD = TEXT["vocab_size"] - 2, TEXT["vocab_size"] - 1, 0  # open_clip.tokenize pads with 0
SCHEDULE = dict(beta_schedule="linear", timesteps=1000, linear_start=0.00085, linear_end=0.012, cosine_s=8e-3)
SCALE_FACTOR = 0.18215
PARAMETERIZATION = "v"

SEED_UNET, SEED_VAE, SEED_TEXT, SEED_PERTURB, SEED_INPUTS, SEED_DDIM = 11, 12, 13, 14, 15, 42


class LatentDiffusionStandIn(torch.nn.Module):
    """Holds the sub-modules under LatentDiffusion's attribute names (state_dict() yields the checkpoint
    key names) and borrows the original methods unchanged. LatentDiffusion.__init__ cannot run here: its
    FrozenOpenCLIPEmbedder downloads pretrained ViT-H-14 weights."""

    register_schedule = DDPM.register_schedule
    predict_start_from_z_and_v = DDPM.predict_start_from_z_and_v   # used by DDIMSampler for "v"
    predict_eps_from_z_and_v = DDPM.predict_eps_from_z_and_v
    apply_model = LatentDiffusion.apply_model
    decode_first_stage = LatentDiffusion.decode_first_stage

    def __init__(self, cond_stage_model):
        super().__init__()
        self.parameterization = PARAMETERIZATION
        self.v_posterior = 0.0
        self.scale_factor = SCALE_FACTOR
        torch.manual_seed(SEED_UNET)
        self.model = DiffusionWrapper({"target": "ldm.modules.diffusionmodules.openaimodel.UNetModel",
                                       "params": UNET}, "crossattn")
        torch.manual_seed(SEED_VAE)
        self.first_stage_model = AutoencoderKL(DDCONFIG, {"target": "torch.nn.Identity"}, EMBED_DIM)
        self.cond_stage_model = cond_stage_model
        self.register_schedule(given_betas=None, **SCHEDULE)

    @property
    def device(self):
        return torch.device("cpu")


def build_embedder():
    """open_clip's CLIP with a small text tower, wrapped in SD2's FrozenOpenCLIPEmbedder WITHOUT running its
    __init__ (which calls open_clip.create_model_and_transforms(..., pretrained=...) = a download): the object
    is created with __new__ and given exactly the attributes __init__ sets, then the original freeze()."""
    torch.manual_seed(SEED_TEXT)
    model = oc_model.CLIP(
        embed_dim=CLIP_EMBED_DIM,
        vision_cfg=oc_model.CLIPVisionCfg(layers=1, width=64, head_width=64, patch_size=16, image_size=32),
        text_cfg=oc_model.CLIPTextCfg(context_length=TEXT["context_length"], vocab_size=TEXT["vocab_size"],
                                      width=TEXT["width"], heads=TEXT["heads"], layers=TEXT["layers"]))
    del model.visual  # as FrozenOpenCLIPEmbedder.__init__ does
    emb = FrozenOpenCLIPEmbedder.__new__(FrozenOpenCLIPEmbedder)
    torch.nn.Module.__init__(emb)
    emb.model = model
    emb.device = "cpu"
    emb.max_length = TEXT["context_length"]
    emb.freeze()
    emb.layer = "penultimate"  # v2-inference-v.yaml: layer "penultimate"
    emb.layer_idx = 1
    return emb


def text_forward(emb, ids, layer):
    """FrozenOpenCLIPEmbedder.encode_with_transformer (the original method) for layer 'last' or
    'penultimate', with forward hooks capturing the residual stream (input of block 0, output of each
    block that runs)."""
    emb.layer, emb.layer_idx = layer, {"last": 0, "penultimate": 1}[layer]
    blocks = emb.model.transformer.resblocks
    captured = {}
    hooks = [blocks[0].register_forward_pre_hook(
        lambda m, inp: captured.__setitem__("emb", inp[0].permute(1, 0, 2).clone()))]
    for i, block in enumerate(blocks):
        hooks.append(block.register_forward_hook(
            lambda m, inp, out, i=i: captured.__setitem__(i, out.permute(1, 0, 2).clone())))
    with torch.no_grad():
        z = emb.encode_with_transformer(ids)
    for h in hooks:
        h.remove()
    emb.layer, emb.layer_idx = "penultimate", 1
    ran = len(blocks) - (0 if layer == "last" else 1)
    return z, torch.stack([captured["emb"]] + [captured[i] for i in range(ran)])


def pad_ids(tokens, pad):
    row = [BOS] + list(tokens) + [EOS]
    return row + [pad] * (TEXT["context_length"] - len(row))


def network_outputs(ldm, emb, inputs):
    """The per-network reference outputs: name -> (tensor, description)."""
    out = {}
    z_pen, _ = text_forward(emb, inputs["text_ids"], "penultimate")
    z_last, hidden = text_forward(emb, inputs["text_ids"], "last")
    out["text_penultimate"] = (z_pen, "encode_with_transformer, layer 'penultimate' (what SD2 feeds the UNet): "
                                      "ln_final(output of block L-2)")
    out["text_last"] = (z_last, "encode_with_transformer, layer 'last': ln_final(output of the last block)")
    out["text_hidden_states"] = (hidden, "residual stream (no ln_final): [0] = token + positional embedding, "
                                         "[i] = output of block i")
    with torch.no_grad():
        unet = ldm.model.diffusion_model
        out["unet_out_a"] = (unet(inputs["unet_x"], inputs["unet_t_a"], context=inputs["unet_context"]),
                             "UNetModel(unet_x, unet_t_a, context=unet_context) (a v prediction)")
        out["unet_out_b"] = (unet(inputs["unet_x"], inputs["unet_t_b"], context=inputs["unet_context"]),
                             "UNetModel(unet_x, unet_t_b, context=unet_context)")
        post = ldm.first_stage_model.encode(inputs["vae_image"])
        out["vae_posterior_mean"] = (post.mean, "AutoencoderKL.encode(vae_image).mean")
        out["vae_posterior_logvar"] = (post.logvar, "AutoencoderKL.encode(vae_image).logvar (clamped [-30, 20])")
        out["vae_decoded"] = (ldm.first_stage_model.decode(inputs["vae_latent"]),
                              "AutoencoderKL.decode(vae_latent) (no scale_factor)")
    return out


def self_check(inputs, written):
    """Reads the written safetensors back (own parser), loads it into freshly built original modules and
    re-runs them: the outputs must equal the stored references bit for bit."""
    sd, meta = fio.read_safetensors(os.path.join(OUT, NAME + "-fp32.safetensors"))
    assert meta == {"format": "pt"}
    emb = build_embedder()
    ldm = LatentDiffusionStandIn(emb).eval()
    ldm.load_state_dict(sd, strict=True)
    for k, (t, _) in network_outputs(ldm, emb, inputs).items():
        assert torch.equal(t, written[k]), "self-check: " + k
    print("self-check passed: the checkpoint reloads into the original modules and reproduces the references")


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(SEED_PERTURB)

    emb = build_embedder()
    ldm = LatentDiffusionStandIn(emb).eval()
    fio.perturb_(ldm.model, gen)
    fio.perturb_(ldm.first_stage_model, gen)
    fio.perturb_(emb.model, gen)

    sd = {k: v.detach().clone().contiguous() for k, v in ldm.state_dict().items()}
    fio.write_safetensors(os.path.join(OUT, NAME + "-fp32.safetensors"), sd, {"format": "pt"})
    files = [{"file": NAME + "-fp32.safetensors", "format": "safetensors", "floating_dtype": "F32",
              "content": "full state_dict (no model_ema.*: like the released *-ema-pruned files)",
              "bytes": os.path.getsize(os.path.join(OUT, NAME + "-fp32.safetensors"))}]

    ref = fio.RefWriter(OUT)
    g = torch.Generator().manual_seed(SEED_INPUTS)
    text_ids = torch.tensor([pad_ids([320, 617, 539, 320, 1000], PAD),
                             pad_ids([(37 * i + 11) % BOS for i in range(40)], PAD)], dtype=torch.int64)
    inputs = {
        "text_ids": ref.add("text_ids", text_ids, "token ids [2,77]: BOS, ids, EOS, padded with 0 (open_clip)"),
        "unet_x": ref.add("unet_x", torch.randn(2, 4, 8, 8, generator=g), "UNet input x"),
        "unet_t_a": ref.add("unet_t_a", torch.tensor([999.0, 10.5]), "UNet timesteps (float32)"),
        "unet_t_b": ref.add("unet_t_b", torch.tensor([1, 500], dtype=torch.int64), "UNet timesteps (int64)"),
        "unet_context": ref.add("unet_context", torch.randn(2, 77, UNET["context_dim"], generator=g),
                                "UNet cross-attention context"),
        "vae_image": ref.add("vae_image", torch.rand(1, 3, 32, 32, generator=g) * 2 - 1, "VAE input image in [-1,1]"),
        "vae_latent": ref.add("vae_latent", torch.randn(1, 4, 4, 4, generator=g), "VAE decoder input latent"),
    }

    for k, (t, d) in network_outputs(ldm, emb, inputs).items():
        ref.add(k, t, d)

    ddim = run_ddim(ref, ldm, emb)

    manifest = {
        "fixture": NAME,
        "generator": "checkpoint/src/test/python/gen_sd2.py (run via run_fixtures.sh)",
        "sources": {k: fio.read_commit(SRC, k) for k in ("sd2", "open_clip", "einops")},
        "environment": fio.environment(),
        "stubs": ["pytorch_lightning (LightningModule = torch.nn.Module; rank_zero_only = no-op)",
                  "transformers (T5Tokenizer, T5EncoderModel, CLIPTokenizer, CLIPTextModel: placeholders that "
                  "raise; imported at module level by ldm/modules/encoders/modules.py, never used)",
                  "kornia (empty; same import, used only by the image embedder)",
                  "ftfy (imported by open_clip's tokenizer, never called)"],
        "stand_ins": [
            "LatentDiffusionStandIn: nn.Module with LatentDiffusion's attribute names (model = DiffusionWrapper, "
            "first_stage_model = AutoencoderKL, cond_stage_model = FrozenOpenCLIPEmbedder) and the original "
            "DDPM.register_schedule, DDPM.predict_start_from_z_and_v, DDPM.predict_eps_from_z_and_v, "
            "LatentDiffusion.apply_model and LatentDiffusion.decode_first_stage as its methods",
            "FrozenOpenCLIPEmbedder built with __new__ + the attributes its __init__ sets (model = a small "
            "open_clip CLIP with the visual tower deleted, layer 'penultimate', layer_idx 1) and its own "
            "freeze(); its encode_with_transformer runs unchanged",
            "DDIMSampler(model, device=cpu): the SD2 sampler takes the device as an argument, no change",
        ],
        "config": {
            "unet": UNET,
            "vae": {"ddconfig": DDCONFIG, "embed_dim": EMBED_DIM, "scale_factor": SCALE_FACTOR},
            "text_encoder": {
                "semantics": "open_clip text tower (SD2 FrozenOpenCLIPEmbedder), layer 'penultimate'",
                "reference_code": "open_clip v2.7.0 model.CLIP + SD2 FrozenOpenCLIPEmbedder.encode_with_transformer",
                "vocab_size": TEXT["vocab_size"], "context_length": TEXT["context_length"],
                "width": TEXT["width"], "heads": TEXT["heads"], "layers": TEXT["layers"], "mlp_ratio": 4.0,
                "act": "GELU (exact, erf)", "layer_norm_eps": 1e-5, "embed_dim": CLIP_EMBED_DIM,
                "bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD,
            },
            "schedule": SCHEDULE, "parameterization": PARAMETERIZATION, "conditioning_key": "crossattn",
            "attention": "ldm.modules.attention.CrossAttention (xformers absent), ATTN_PRECISION=%s; "
                         "VAE attention 'vanilla'" % os.environ.get("ATTN_PRECISION", "fp32 (default)"),
            "seeds": {"unet": SEED_UNET, "vae": SEED_VAE, "text": SEED_TEXT, "perturbation": SEED_PERTURB,
                      "inputs": SEED_INPUTS, "ddim": SEED_DDIM},
        },
        "checkpoints": files,
        "state_dict": fio.state_dict_listing(sd),
        "ddim": ddim,
        "tensors": ref.entries,
    }
    for f in files:
        f["sha256"] = fio.sha256_file(os.path.join(OUT, f["file"]))
    fio.write_json(os.path.join(OUT, "manifest.json"), manifest)
    print("wrote", OUT)
    self_check(inputs, ref.tensors)


def run_ddim(ref, ldm, emb):
    """SD2 scripts/txt2img.py's path (v model): c / uc from FrozenOpenCLIPEmbedder (penultimate),
    DDIMSampler.sample with x_T = start code, decode_first_stage, clamp((x+1)/2), 255 * HWC -> uint8."""
    steps, scale, eta, batch = 10, 9.0, 0.0, 2  # scale: SD2 txt2img's default --scale 9.0
    shape = [4, 4, 4]
    cond_ids = torch.tensor([pad_ids([320, 617, 539, 320, 1000], PAD),
                             pad_ids([12, 345, 678, 901, 23, 456], PAD)], dtype=torch.int64)
    uncond_ids = torch.tensor([pad_ids([], PAD)] * batch, dtype=torch.int64)  # tokenize("") -> BOS, EOS, 0...
    ref.add("ddim_cond_ids", cond_ids, "prompt token ids fed to the text encoder (c)")
    ref.add("ddim_uncond_ids", uncond_ids, "empty-prompt token ids (uc)")
    c, _ = text_forward(emb, cond_ids, "penultimate")
    uc, _ = text_forward(emb, uncond_ids, "penultimate")
    ref.add("ddim_c", c, "c = encode_with_transformer(ddim_cond_ids), penultimate")
    ref.add("ddim_uc", uc, "uc = encode_with_transformer(ddim_uncond_ids), penultimate")

    torch.manual_seed(SEED_DDIM)
    start_code = torch.randn([batch] + shape)
    ref.add("ddim_x_T", start_code, "start noise: torch.manual_seed(%d); torch.randn([2,4,4,4])" % SEED_DDIM)

    calls = {"x": [], "t": [], "out": []}

    def record_call(module, inp, out):  # observes DiffusionWrapper.forward; returns None (output unchanged)
        calls["x"].append(inp[0].clone())
        calls["t"].append(inp[1].clone())
        calls["out"].append(out.clone())

    hook = ldm.model.register_forward_hook(record_call)
    sampler = DDIMSampler(ldm, device=torch.device("cpu"))
    with torch.no_grad():
        samples, inter = sampler.sample(S=steps, conditioning=c, batch_size=batch, shape=shape, verbose=False,
                                        unconditional_guidance_scale=scale, unconditional_conditioning=uc,
                                        eta=eta, x_T=start_code, log_every_t=1)
        hook.remove()
        decoded = ldm.decode_first_stage(samples)
    image01 = torch.clamp((decoded + 1.0) / 2.0, min=0.0, max=1.0)
    u8 = (255.0 * image01.numpy().transpose(0, 2, 3, 1)).astype(np.uint8)  # truncation, as txt2img

    ref.add("ddim_timesteps", torch.from_numpy(np.asarray(sampler.ddim_timesteps, dtype=np.int64)),
            "sampler.ddim_timesteps (make_ddim_timesteps 'uniform': range(0,1000,100) + 1), visited in reverse")
    ref.add("ddim_alphas", torch.as_tensor(sampler.ddim_alphas), "sampler.ddim_alphas (alphas_cumprod[t])")
    ref.add("ddim_alphas_prev", torch.as_tensor(np.asarray(sampler.ddim_alphas_prev)),
            "sampler.ddim_alphas_prev (numpy float64 as the sampler holds it)")
    ref.add("ddim_sigmas", torch.as_tensor(np.asarray(sampler.ddim_sigmas)), "sampler.ddim_sigmas (eta = 0)")
    ref.add("ddim_model_x", torch.stack(calls["x"]), "per step: x fed to the UNet (cat[x, x] for uc, c)")
    ref.add("ddim_model_t", torch.stack(calls["t"]), "per step: timesteps fed to the UNet")
    ref.add("ddim_model_out", torch.stack(calls["out"]), "per step: UNet output (v) for [uc; c]")
    ref.add("ddim_x_inter", torch.stack(inter["x_inter"]), "intermediates['x_inter']: x_T then x after each step")
    ref.add("ddim_pred_x0", torch.stack(inter["pred_x0"]), "intermediates['pred_x0']: x_T then pred_x0 per step")
    ref.add("ddim_samples", samples, "final latents")
    ref.add("ddim_decoded", decoded, "decode_first_stage(samples) (1/scale_factor applied)")
    ref.add("ddim_image01", image01, "clamp((decoded + 1) / 2, 0, 1)")
    ref.add("ddim_image_u8", torch.from_numpy(u8), "(255 * image01 as HWC).astype(uint8): TRUNCATION, as txt2img")
    from PIL import Image
    pngs = []
    for i in range(batch):
        fname = "ddim-%d.png" % i
        Image.fromarray(u8[i]).save(os.path.join(OUT, fname))
        pngs.append(fname)
    return {"sampler": "Stability-AI DDIMSampler.sample (device cpu)", "parameterization": PARAMETERIZATION,
            "steps": steps, "ddim_discretize": "uniform", "ddim_eta": eta, "guidance_scale": scale,
            "batch": batch, "latent_shape": shape, "image_size": [32, 32], "seed": SEED_DDIM,
            "scale_factor": SCALE_FACTOR, "uncond": "empty prompt", "png": pngs,
            "v_to_eps": "e_t = sqrt(alphas_cumprod[t]) * v + sqrt(1 - alphas_cumprod[t]) * x; "
                        "pred_x0 = sqrt(alphas_cumprod[t]) * x - sqrt(1 - alphas_cumprod[t]) * v "
                        "(guidance is applied to v before the conversion)",
            "to_uint8": "x = clamp((decoded+1)/2, 0, 1); (255. * x HWC).astype(np.uint8) - truncates, no rounding"}


if __name__ == "__main__":
    main()
