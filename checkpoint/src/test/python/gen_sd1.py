"""Generates the SD 1.x-style small fixture (fixtures/sd1-small) by RUNNING the original code:

* CompVis/stable-diffusion `ldm` (UNetModel via DiffusionWrapper, AutoencoderKL/Encoder/Decoder,
  DiagonalGaussianDistribution, LitEma, DDPM.register_schedule, LatentDiffusion.apply_model /
  decode_first_stage, DDIMSampler),
* openai/CLIP `clip/model.py` (CLIP text path = the maths of transformers' CLIPTextModel, whose key names
  SD1 checkpoints use),

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

import clip.model as openai_clip  # noqa: E402  openai/CLIP
from ldm.models.autoencoder import AutoencoderKL  # noqa: E402  CompVis/stable-diffusion
from ldm.models.diffusion.ddim import DDIMSampler  # noqa: E402
from ldm.models.diffusion.ddpm import DDPM, DiffusionWrapper, LatentDiffusion  # noqa: E402
from ldm.modules.ema import LitEma  # noqa: E402

for mod, name in ((openai_clip, "clip"), (sys.modules["ldm.models.diffusion.ddpm"], "sd1"),
                  (sys.modules["einops"], "einops")):
    assert os.path.abspath(mod.__file__).startswith(os.path.join(os.path.abspath(SRC), name)), mod.__file__

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

NAME = "sd1-small"
OUT = os.path.join(OUT_ROOT, NAME)

# ---------------------------------------------------------------- configuration (small SD 1.x) ----
UNET = dict(  # v1-inference.yaml unet_config.params, scaled down (use_checkpoint is numerically irrelevant)
    image_size=8, in_channels=4, out_channels=4, model_channels=32, attention_resolutions=[1],
    num_res_blocks=1, channel_mult=[1, 2], num_heads=8, use_spatial_transformer=True,
    transformer_depth=1, context_dim=64, use_checkpoint=False, legacy=False)
DDCONFIG = dict(  # first_stage_config ddconfig, scaled down; 3 downsamplings -> latent = image / 8.
    # GroupNorm has 32 groups: with 32 channels every group is one channel (the SD2 fixture's VAE has a
    # 64-channel level); the UNet's 64-channel level keeps the timestep embedding from being normalised away.
    double_z=True, z_channels=4, resolution=32, in_channels=3, out_ch=3, ch=32, ch_mult=[1, 1, 1, 1],
    num_res_blocks=1, attn_resolutions=[], dropout=0.0)
EMBED_DIM = 4
TEXT = dict(  # CLIPTextModel (transformers) semantics: quick_gelu, causal mask, final layer norm
    vocab_size=1024, context_length=77, width=64, heads=1, layers=2)
BOS, EOS = TEXT["vocab_size"] - 2, TEXT["vocab_size"] - 1  # as in CLIP's vocabulary: 49406 / 49407
SCHEDULE = dict(beta_schedule="linear", timesteps=1000, linear_start=0.00085, linear_end=0.012, cosine_s=8e-3)
SCALE_FACTOR = 0.18215
PARAMETERIZATION = "eps"
EMA_STEPS = 2

SEED_UNET, SEED_VAE, SEED_TEXT, SEED_PERTURB, SEED_INPUTS, SEED_DDIM = 1, 2, 3, 4, 5, 42


class LatentDiffusionStandIn(torch.nn.Module):
    """Holds the sub-modules under the attribute names LatentDiffusion uses (so state_dict() yields the
    checkpoint key names) and borrows LatentDiffusion's own methods unchanged. LatentDiffusion.__init__
    itself cannot run here: it instantiates FrozenCLIPEmbedder, which needs transformers + a download."""

    register_schedule = DDPM.register_schedule          # buffers: betas, alphas_cumprod, ...
    apply_model = LatentDiffusion.apply_model           # what DDIMSampler calls
    decode_first_stage = LatentDiffusion.decode_first_stage

    def __init__(self):
        super().__init__()
        self.parameterization = PARAMETERIZATION  # DDPM.__init__ defaults
        self.v_posterior = 0.0
        self.scale_factor = SCALE_FACTOR         # plain attribute, as with scale_by_std=False
        torch.manual_seed(SEED_UNET)
        self.model = DiffusionWrapper({"target": "ldm.modules.diffusionmodules.openaimodel.UNetModel",
                                       "params": UNET}, "crossattn")
        torch.manual_seed(SEED_VAE)
        self.first_stage_model = AutoencoderKL(DDCONFIG, {"target": "torch.nn.Identity"}, EMBED_DIM)
        self.register_schedule(given_betas=None, **SCHEDULE)

    @property
    def device(self):  # pl.LightningModule.device
        return torch.device("cpu")


class CpuDDIMSampler(DDIMSampler):
    """CompVis' DDIMSampler.register_buffer moves every tensor to CUDA; this override only keeps them on
    the CPU. Everything else is the original sampler."""

    def register_buffer(self, name, attr):
        setattr(self, name, attr)


def build_text_model():
    torch.manual_seed(SEED_TEXT)
    # The vision tower is required by the constructor and unused (tiny).
    return openai_clip.CLIP(embed_dim=TEXT["width"], image_resolution=32, vision_layers=1, vision_width=64,
                            vision_patch_size=16, context_length=TEXT["context_length"],
                            vocab_size=TEXT["vocab_size"], transformer_width=TEXT["width"],
                            transformer_heads=TEXT["heads"], transformer_layers=TEXT["layers"]).eval()


def text_forward(clip_model, ids):
    """Runs openai/CLIP's CLIP.encode_text and captures (forward hooks) the transformer input, every
    residual block's output and ln_final's output: transformers' hidden_states / last_hidden_state."""
    captured = {}
    hooks = [clip_model.transformer.register_forward_pre_hook(
        lambda m, inp: captured.__setitem__("emb", inp[0].permute(1, 0, 2).clone()))]
    for i, block in enumerate(clip_model.transformer.resblocks):
        hooks.append(block.register_forward_hook(
            lambda m, inp, out, i=i: captured.__setitem__(i, out.permute(1, 0, 2).clone())))
    hooks.append(clip_model.ln_final.register_forward_hook(
        lambda m, inp, out: captured.__setitem__("final", out.clone())))
    with torch.no_grad():
        clip_model.encode_text(ids)
    for h in hooks:
        h.remove()
    hidden = torch.stack([captured["emb"]] + [captured[i] for i in range(TEXT["layers"])])
    return hidden, captured["final"]


def openai_to_transformers(clip_model):
    """openai/CLIP text weights -> transformers CLIPTextModel names under SD1's cond_stage_model prefix."""
    p = "cond_stage_model.transformer.text_model."
    sd = clip_model.state_dict()
    out = {
        p + "embeddings.token_embedding.weight": sd["token_embedding.weight"],
        p + "embeddings.position_embedding.weight": sd["positional_embedding"],
        p + "embeddings.position_ids": torch.arange(TEXT["context_length"], dtype=torch.int64)[None],
        p + "final_layer_norm.weight": sd["ln_final.weight"],
        p + "final_layer_norm.bias": sd["ln_final.bias"],
    }
    for i in range(TEXT["layers"]):
        o, h = "transformer.resblocks.%d." % i, p + "encoder.layers.%d." % i
        for kind in ("weight", "bias"):
            q, k, v = sd[o + "attn.in_proj_" + kind].chunk(3, dim=0)
            out[h + "self_attn.q_proj." + kind] = q
            out[h + "self_attn.k_proj." + kind] = k
            out[h + "self_attn.v_proj." + kind] = v
            out[h + "self_attn.out_proj." + kind] = sd[o + "attn.out_proj." + kind]
            out[h + "layer_norm1." + kind] = sd[o + "ln_1." + kind]
            out[h + "layer_norm2." + kind] = sd[o + "ln_2." + kind]
            out[h + "mlp.fc1." + kind] = sd[o + "mlp.c_fc." + kind]
            out[h + "mlp.fc2." + kind] = sd[o + "mlp.c_proj." + kind]
    return {k: v.detach().clone().contiguous() for k, v in out.items()}


def pad_ids(tokens, pad):
    row = [BOS] + list(tokens) + [EOS]
    return row + [pad] * (TEXT["context_length"] - len(row))


def network_outputs(ldm, clip_model, inputs, what):
    """The per-network reference outputs for one weight set: name -> (tensor, description)."""
    out = {}
    hidden, last = text_forward(clip_model, inputs["text_ids"])
    out["text_hidden_states"] = (hidden, what + ": transformers-style hidden_states: [0] = embeddings, "
                                              "[i] = output of layer i (no final LN)")
    out["text_last_hidden_state"] = (last, what + ": last_hidden_state (final_layer_norm applied)")
    with torch.no_grad():
        unet = ldm.model.diffusion_model
        out["unet_out_a"] = (unet(inputs["unet_x"], inputs["unet_t_a"], context=inputs["unet_context"]),
                             what + ": UNetModel(unet_x, unet_t_a, context=unet_context)")
        out["unet_out_b"] = (unet(inputs["unet_x"], inputs["unet_t_b"], context=inputs["unet_context"]),
                             what + ": UNetModel(unet_x, unet_t_b, context=unet_context)")
        post = ldm.first_stage_model.encode(inputs["vae_image"])
        out["vae_posterior_mean"] = (post.mean, what + ": AutoencoderKL.encode(vae_image).mean")
        out["vae_posterior_logvar"] = (post.logvar, what + ": AutoencoderKL.encode(vae_image).logvar "
                                                           "(clamped to [-30, 20] by the distribution)")
        out["vae_decoded"] = (ldm.first_stage_model.decode(inputs["vae_latent"]),
                              what + ": AutoencoderKL.decode(vae_latent) (no scale_factor)")
    return out, post


def transformers_to_openai(sd):
    """Inverse of openai_to_transformers (for the self-check): fuses q/k/v back into in_proj."""
    p = "cond_stage_model.transformer.text_model."
    out = {
        "token_embedding.weight": sd[p + "embeddings.token_embedding.weight"],
        "positional_embedding": sd[p + "embeddings.position_embedding.weight"],
        "ln_final.weight": sd[p + "final_layer_norm.weight"],
        "ln_final.bias": sd[p + "final_layer_norm.bias"],
    }
    for i in range(TEXT["layers"]):
        o, h = "transformer.resblocks.%d." % i, p + "encoder.layers.%d." % i
        for kind in ("weight", "bias"):
            out[o + "attn.in_proj_" + kind] = torch.cat([sd[h + "self_attn.%s_proj.%s" % (x, kind)]
                                                         for x in "qkv"])
            out[o + "attn.out_proj." + kind] = sd[h + "self_attn.out_proj." + kind]
            out[o + "ln_1." + kind] = sd[h + "layer_norm1." + kind]
            out[o + "ln_2." + kind] = sd[h + "layer_norm2." + kind]
            out[o + "mlp.c_fc." + kind] = sd[h + "mlp.fc1." + kind]
            out[o + "mlp.c_proj." + kind] = sd[h + "mlp.fc2." + kind]
    return out


def load_from_checkpoint(sd, with_ema):
    """Fresh original modules loaded from a checkpoint dict (floats converted to float32)."""
    sd = {k: (v.float() if v.is_floating_point() else v) for k, v in sd.items()}
    ldm = LatentDiffusionStandIn().eval()
    if with_ema:
        ldm.model_ema = LitEma(ldm.model)
    ldm.load_state_dict({k: v for k, v in sd.items() if not k.startswith("cond_stage_model.")}, strict=True)
    clip_model = build_text_model()
    missing, unexpected = clip_model.load_state_dict(transformers_to_openai(sd), strict=False)
    assert not unexpected and all(k.startswith(("visual.", "text_projection", "logit_scale")) for k in missing), \
        missing
    return ldm, clip_model


def self_check(inputs, written):
    """Reads the written safetensors back (own parser), loads them into freshly built original modules and
    re-runs them: the outputs must equal the stored references bit for bit."""
    for fname, prefix, with_ema in ((NAME + "-fp32.safetensors", "", True),
                                    (NAME + "-fp16.safetensors", "fp16w_", False),
                                    (NAME + "-bf16.safetensors", "bf16w_", False)):
        sd, meta = fio.read_safetensors(os.path.join(OUT, fname))
        assert meta == {"format": "pt"}
        ldm, clip_model = load_from_checkpoint(sd, with_ema)
        outs, _ = network_outputs(ldm, clip_model, inputs, "")
        for k, (t, _) in outs.items():
            assert torch.equal(t, written[prefix + k]), "self-check: %s%s from %s" % (prefix, k, fname)
    fp16, _ = fio.read_safetensors(os.path.join(OUT, NAME + "-fp16.safetensors"))
    fp32, _ = fio.read_safetensors(os.path.join(OUT, NAME + "-fp32.safetensors"))
    zipped = torch.load(os.path.join(OUT, NAME + ".ckpt"), map_location="cpu")
    assert zipped["global_step"] == 3 and zipped["epoch"] == 1
    fio.assert_same(fp16, dict(sorted(zipped["state_dict"].items())), "zip ckpt vs fp16 safetensors")
    legacy = torch.load(os.path.join(OUT, NAME + "-legacy.ckpt"), map_location="cpu")["state_dict"]
    fio.assert_same({k: fp32[k] for k in sorted(legacy)}, dict(sorted(legacy.items())),
                    "legacy ckpt vs fp32 safetensors")
    print("self-check passed: checkpoints reload into the original modules and reproduce the references")


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(SEED_PERTURB)

    ldm = LatentDiffusionStandIn().eval()
    clip_model = build_text_model()
    fio.perturb_(ldm.model, gen)
    fio.perturb_(ldm.first_stage_model, gen)
    fio.perturb_(clip_model, gen)

    # EMA exactly as DDPM keeps it: LitEma over self.model, updated after each optimiser step.
    ldm.model_ema = LitEma(ldm.model)
    with torch.no_grad():
        for _ in range(EMA_STEPS):
            for p in ldm.model.parameters():  # stand-in for an optimiser step
                p.add_(0.01 * torch.randn(p.shape, generator=gen))
            ldm.model_ema(ldm.model)

    # ------------------------------------------------------------------------------ checkpoints ----
    sd = {k: v.detach().clone().contiguous() for k, v in ldm.state_dict().items()}
    sd.update(openai_to_transformers(clip_model))
    no_ema = {k: v for k, v in sd.items() if not k.startswith("model_ema.")}
    st_meta = {"format": "pt"}
    files = []

    def record(fname, fmt, dtype, content):
        path = os.path.join(OUT, fname)
        files.append({"file": fname, "format": fmt, "floating_dtype": dtype, "content": content,
                      "bytes": os.path.getsize(path)})

    fio.write_safetensors(os.path.join(OUT, NAME + "-fp32.safetensors"), sd, st_meta)
    record(NAME + "-fp32.safetensors", "safetensors", "F32", "full state_dict incl. model_ema.*")
    fio.write_safetensors(os.path.join(OUT, NAME + "-fp16.safetensors"), fio.convert_floats(no_ema, torch.float16),
                          st_meta)
    record(NAME + "-fp16.safetensors", "safetensors", "F16", "state_dict without model_ema.*, floats as F16")
    fio.write_safetensors(os.path.join(OUT, NAME + "-bf16.safetensors"), fio.convert_floats(no_ema, torch.bfloat16),
                          st_meta)
    record(NAME + "-bf16.safetensors", "safetensors", "BF16", "state_dict without model_ema.*, floats as BF16")
    # To keep the fixtures small: the zip .ckpt holds the fp16 state_dict without EMA (as fp16 'pruned'
    # .ckpt files do); the legacy .ckpt holds an fp32 SUBSET. Together they use Half, Float, Long and Int
    # storages.
    torch.save({"state_dict": fio.convert_floats(no_ema, torch.float16), "global_step": 3, "epoch": 1},
               os.path.join(OUT, NAME + ".ckpt"))
    record(NAME + ".ckpt", "torch zip (torch.save default)", "F16",
           "{'state_dict': state_dict without model_ema.*, floats as F16 (same tensors as the fp16 "
           "safetensors), 'global_step': 3, 'epoch': 1}")
    legacy = {k: v for k, v in sd.items()
              if not k.startswith(("model.", "first_stage_model.", "model_ema.diffusion_model"))}
    fio.legacy_save_stable({"state_dict": legacy, "global_step": 3, "epoch": 1},
                           os.path.join(OUT, NAME + "-legacy.ckpt"))
    record(NAME + "-legacy.ckpt", "torch legacy (_use_new_zipfile_serialization=False)", "F32",
           "{'state_dict': SUBSET of the fp32 state_dict: cond_stage_model.*, the schedule buffers, "
           "model_ema.decay (F32 []) and model_ema.num_updates (I32 []), 'global_step': 3, 'epoch': 1}")

    # ----------------------------------------------------------------------------------- inputs ----
    ref = fio.RefWriter(OUT)
    g = torch.Generator().manual_seed(SEED_INPUTS)
    text_ids = torch.tensor([pad_ids([320, 617, 539, 320, 1000], EOS),
                             pad_ids([(37 * i + 11) % BOS for i in range(40)], EOS)], dtype=torch.int64)
    inputs = {
        "text_ids": ref.add("text_ids", text_ids, "token ids [2,77]: BOS, ids, EOS, padded with EOS (SD1 pads "
                                                  "with the EOS token)"),
        "unet_x": ref.add("unet_x", torch.randn(2, 4, 8, 8, generator=g), "UNet input x"),
        "unet_t_a": ref.add("unet_t_a", torch.tensor([999.0, 10.5]), "UNet timesteps (float32)"),
        "unet_t_b": ref.add("unet_t_b", torch.tensor([1, 500], dtype=torch.int64), "UNet timesteps (int64)"),
        "unet_context": ref.add("unet_context", torch.randn(2, 77, UNET["context_dim"], generator=g),
                                "UNet cross-attention context"),
        "vae_image": ref.add("vae_image", torch.rand(1, 3, 32, 32, generator=g) * 2 - 1, "VAE input image in [-1,1]"),
        "vae_latent": ref.add("vae_latent", torch.randn(1, 4, 4, 4, generator=g), "VAE decoder input latent"),
    }

    # ---------------------------------------------------------------------------- fp32 outputs ----
    outs, post = network_outputs(ldm, clip_model, inputs, "fp32 weights")
    for k, (t, d) in outs.items():
        ref.add(k, t, d)
    torch.manual_seed(SEED_INPUTS + 1)
    noise = torch.randn(post.mean.shape)
    torch.manual_seed(SEED_INPUTS + 1)
    sample = post.sample()  # DiagonalGaussianDistribution.sample draws torch.randn(mean.shape)
    assert torch.equal(sample, post.mean + post.std * noise)
    ref.add("vae_posterior_noise", noise, "torch.manual_seed(%d); torch.randn(mean.shape)" % (SEED_INPUTS + 1))
    ref.add("vae_posterior_sample", sample, "posterior.sample() with that noise (mean + std * noise)")

    ema_ldm = copy.deepcopy(ldm)
    ldm.model_ema.copy_to(ema_ldm.model)  # what ema_scope() does
    with torch.no_grad():
        ref.add("unet_out_a_ema", ema_ldm.model.diffusion_model(inputs["unet_x"], inputs["unet_t_a"],
                                                                context=inputs["unet_context"]),
                "UNet with the model_ema.* weights (LitEma.copy_to), inputs as unet_out_a")
    del ema_ldm

    # ---------------------------------------------- outputs on weights rounded to fp16 / bf16 ----
    for dt, prefix in ((torch.float16, "fp16w_"), (torch.bfloat16, "bf16w_")):
        r_ldm, r_clip = copy.deepcopy(ldm), copy.deepcopy(clip_model)
        fio.round_module_(r_ldm, dt)
        fio.round_module_(r_clip, dt)
        outs, _ = network_outputs(r_ldm, r_clip, inputs,
                                  "fp32 computation on weights rounded to %s and back" % str(dt).replace("torch.", ""))
        for k, (t, d) in outs.items():
            ref.add(prefix + k, t, d)
        del r_ldm, r_clip

    half_compute = {}
    try:  # fp16 weights AND fp16 computation, as torch does it (CPU support in torch 1.13 is partial)
        h_ldm = copy.deepcopy(ldm).half()
        with torch.no_grad():
            out = h_ldm.model.diffusion_model(inputs["unet_x"].half(), inputs["unet_t_a"],
                                              context=inputs["unet_context"].half())
        ref.add("fp16c_unet_out_a", out, "UNet in float16 (weights and activations), inputs as unet_out_a")
        half_compute["unet"] = "stored as fp16c_unet_out_a"
    except Exception as e:  # noqa: BLE001
        half_compute["unet"] = "skipped: %s: %s" % (type(e).__name__, str(e).splitlines()[0])

    # ------------------------------------------------------------------------------------ DDIM ----
    ddim = run_ddim(ref, ldm, clip_model)

    manifest = {
        "fixture": NAME,
        "generator": "checkpoint/src/test/python/gen_sd1.py (run via run_fixtures.sh)",
        "sources": {k: fio.read_commit(SRC, k) for k in ("sd1", "clip", "einops")},
        "environment": fio.environment(),
        "stubs": ["pytorch_lightning (LightningModule = torch.nn.Module; rank_zero_only = no-op)",
                  "taming.modules.vqvae.quantize.VectorQuantizer2 (never built)",
                  "ftfy (imported by clip's tokenizer, never called)"],
        "stand_ins": [
            "LatentDiffusionStandIn: nn.Module with LatentDiffusion's attribute names (model = DiffusionWrapper, "
            "model_ema = LitEma, first_stage_model = AutoencoderKL) and the original DDPM.register_schedule, "
            "LatentDiffusion.apply_model and LatentDiffusion.decode_first_stage as its methods",
            "CpuDDIMSampler: DDIMSampler with register_buffer keeping tensors on the CPU (original moves to CUDA)",
            "text encoder: openai/CLIP clip.model.CLIP(...).encode_text with forward hooks; weights renamed to "
            "transformers CLIPTextModel keys (see README)",
        ],
        "config": {
            "unet": UNET,
            "vae": {"ddconfig": DDCONFIG, "embed_dim": EMBED_DIM, "scale_factor": SCALE_FACTOR},
            "text_encoder": {
                "semantics": "transformers CLIPTextModel (SD1 FrozenCLIPEmbedder, layer 'last')",
                "reference_code": "openai/CLIP clip/model.py CLIP.encode_text (QuickGELU, causal mask, ln_final)",
                "vocab_size": TEXT["vocab_size"], "max_position_embeddings": TEXT["context_length"],
                "hidden_size": TEXT["width"], "intermediate_size": 4 * TEXT["width"],
                "num_attention_heads": TEXT["heads"], "num_hidden_layers": TEXT["layers"],
                "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5,
                "bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": EOS,
            },
            "schedule": SCHEDULE, "parameterization": PARAMETERIZATION, "conditioning_key": "crossattn",
            "ema": {"decay": 0.9999, "num_updates": EMA_STEPS,
                    "key_rule": "model_ema.<name of model.* parameter without 'model.' and with all dots removed>"},
            "seeds": {"unet": SEED_UNET, "vae": SEED_VAE, "text": SEED_TEXT, "perturbation": SEED_PERTURB,
                      "inputs": SEED_INPUTS, "ddim": SEED_DDIM},
        },
        "checkpoints": files,
        "state_dict": fio.state_dict_listing(sd),
        "fp16_compute": half_compute,
        "ddim": ddim,
        "tensors": ref.entries,
    }
    for f in files:
        f["sha256"] = fio.sha256_file(os.path.join(OUT, f["file"]))
    fio.write_json(os.path.join(OUT, "manifest.json"), manifest)
    print("wrote", OUT)
    self_check(inputs, ref.tensors)


def run_ddim(ref, ldm, clip_model):
    """scripts/txt2img.py's path: c / uc from the text encoder, DDIMSampler.sample with x_T = start code,
    decode_first_stage, clamp((x+1)/2), 255 * HWC -> uint8."""
    steps, scale, eta, batch = 10, 7.5, 0.0, 2
    shape = [4, 4, 4]  # 32x32 images, f = 8
    cond_ids = torch.tensor([pad_ids([320, 617, 539, 320, 1000], EOS),
                             pad_ids([12, 345, 678, 901, 23, 456], EOS)], dtype=torch.int64)
    uncond_ids = torch.tensor([pad_ids([], EOS)] * batch, dtype=torch.int64)  # tokenizer("") -> BOS, EOS, pad
    ref.add("ddim_cond_ids", cond_ids, "prompt token ids fed to the text encoder (c)")
    ref.add("ddim_uncond_ids", uncond_ids, "empty-prompt token ids (uc)")
    _, c = text_forward(clip_model, cond_ids)
    _, uc = text_forward(clip_model, uncond_ids)
    ref.add("ddim_c", c, "c = last_hidden_state(ddim_cond_ids)")
    ref.add("ddim_uc", uc, "uc = last_hidden_state(ddim_uncond_ids)")

    torch.manual_seed(SEED_DDIM)
    start_code = torch.randn([batch] + shape)  # txt2img --fixed_code after seed_everything(seed)
    ref.add("ddim_x_T", start_code, "start noise: torch.manual_seed(%d); torch.randn([2,4,4,4])" % SEED_DDIM)

    calls = {"x": [], "t": [], "out": []}

    def record_call(module, inp, out):  # observes DiffusionWrapper.forward; returns None (output unchanged)
        calls["x"].append(inp[0].clone())
        calls["t"].append(inp[1].clone())
        calls["out"].append(out.clone())

    hook = ldm.model.register_forward_hook(record_call)
    sampler = CpuDDIMSampler(ldm)
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
    ref.add("ddim_model_out", torch.stack(calls["out"]), "per step: UNet output (eps) for [uc; c]")
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
    return {"sampler": "CompVis DDIMSampler.sample (via CpuDDIMSampler)", "steps": steps,
            "ddim_discretize": "uniform", "ddim_eta": eta, "guidance_scale": scale, "batch": batch,
            "latent_shape": shape, "image_size": [32, 32], "seed": SEED_DDIM, "scale_factor": SCALE_FACTOR,
            "uncond": "empty prompt", "png": pngs,
            "to_uint8": "x = clamp((decoded+1)/2, 0, 1); (255. * x HWC).astype(np.uint8) - truncates, no rounding"}


if __name__ == "__main__":
    main()
