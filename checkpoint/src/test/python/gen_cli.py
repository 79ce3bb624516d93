"""Generates the command-line end-to-end fixtures (fixtures/cli-sd1, fixtures/cli-sd2) by RUNNING the
original txt2img path for a PROMPT STRING on small seeded checkpoints that have CLIP's full 49,408-entry
vocabulary, so that `ldm4j generate --prompt ...` (which tokenizes with the real CLIP vocabulary) can be
compared with the original code end to end:

    prompt --tokenizer--> ids --text encoder--> c, uc ("") --DDIMSampler.sample(S=10, eta=0, scale 7.5,
    x_T = torch.manual_seed(seed); torch.randn([1, 4, H/8, W/8]))--> latents --decode_first_stage-->
    clamp((x+1)/2, 0, 1) --8-bit, ROUNDED as ldm4j writes its PNGs--> expected.png

* sd1: CompVis/stable-diffusion (`gen_sd1.py`'s modules, `LatentDiffusion.get_learned_conditioning`, SD1's
  own `FrozenCLIPEmbedder.forward`, CompVis' `DDIMSampler`) with a transformers-`CLIPTokenizer` stand-in
  (openai/CLIP's `simple_tokenizer` + the documented HF padding rule: BOS, ids, EOS, padded with EOS to 77)
  and a `CLIPTextModel` stand-in (openai/CLIP `encode_text`, as gen_sd1.py);
* sd2: Stability-AI/stablediffusion (`gen_sd2.py`'s modules, `get_learned_conditioning`,
  `FrozenOpenCLIPEmbedder.encode` -> `forward` -> `open_clip.tokenize` -> `encode_with_transformer`, all
  original, and the v-prediction `DDIMSampler`).

The model-building code is imported from gen_sd1.py / gen_sd2.py (their configuration globals are replaced
by the sizes below before anything is built). The checkpoint is written as F16 safetensors (network weights
F16; the schedule buffers F32, see README.md) and the reference runs in float32 on the F16-rounded weights,
i.e. on exactly the values ldm4j reads. Run through run_fixtures.sh (cli-sd1 | cli-sd2); see README.md.
"""

import os
import sys

import numpy as np
import torch

FAMILY = sys.argv[1] if len(sys.argv) > 1 else ""
assert FAMILY in ("sd1", "sd2"), "usage: gen_cli.py sd1|sd2 (run through run_fixtures.sh)"

import fixture_io as fio  # noqa: E402

if FAMILY == "sd1":
    import gen_sd1 as base  # noqa: E402  (asserts the imported modules come from $REF_SRC)
    from ldm.modules.encoders.modules import FrozenCLIPEmbedder  # noqa: E402  CompVis
    import clip.simple_tokenizer as clip_tokenizer  # noqa: E402  openai/CLIP
else:
    import gen_sd2 as base  # noqa: E402
    import open_clip  # noqa: E402  mlfoundations/open_clip v2.7.0 (what FrozenOpenCLIPEmbedder calls)
from ldm.models.diffusion.ddpm import LatentDiffusion  # noqa: E402

NAME = "cli-" + FAMILY
OUT = os.path.join(base.OUT_ROOT, NAME)

# ------------------------------------------------------------------------------ configuration ----
VOCAB, CONTEXT, BOS, EOS = 49408, 77, 49406, 49407  # CLIP's vocabulary (OpenAI CLIP = OpenCLIP's)
base.TEXT = dict(vocab_size=VOCAB, context_length=CONTEXT, width=64, heads=1, layers=2)  # heads = width / 64
base.BOS, base.EOS = BOS, EOS
if FAMILY == "sd2":
    # SD 2.x's rule is 64 channels per UNet head (what ldm4j assumes without a yaml): heads = ch / 64. ldm4j
    # also requires every level's channels to be a multiple of 64 (the original only computes heads where
    # there is attention), so both levels have 64 channels (GroupNorm(32): two channels per group);
    # attention as sd2-small: level 0 and the middle block. Text width 64 -> context 64.
    base.UNET = dict(base.UNET, model_channels=64, channel_mult=[1, 1], num_head_channels=64, context_dim=64)
    base.CLIP_EMBED_DIM = 64
    base.PAD = 0
else:
    base.UNET = dict(base.UNET)  # as sd1-small: num_heads 8 (SD 1.x's rule), context 64 = text width
assert base.UNET["context_dim"] == base.TEXT["width"]

PROMPT = "A watercolour painting of a fox, snow-covered pines at dusk!"
NEGATIVE = ""  # txt2img's uc: get_learned_conditioning(batch_size * [""])
SEED, STEPS, SCALE, ETA, WIDTH, HEIGHT = 1234, 10, 7.5, 0.0, 64, 64
SEED_PERTURB = base.SEED_PERTURB + 100
F = 8  # the VAE's downsampling factor


def fix_text_is_identity(text):
    """The ftfy stub (stubs/ftfy) returns its input only for printable ASCII without '&': the prompts used
    here must be such text (ftfy.fix_text leaves it unchanged)."""
    return all(0x20 <= ord(ch) <= 0x7E for ch in text) and "&" not in text


assert fix_text_is_identity(PROMPT)


# ------------------------------------------------------- SD1: stand-ins for the transformers parts ----
class HfClipTokenizerStandIn:
    """transformers' CLIPTokenizer (openai/clip-vit-large-patch14) as FrozenCLIPEmbedder.forward calls it:
    tokenizer(text, truncation=True, max_length=77, return_length=True, return_overflowing_tokens=False,
    padding="max_length", return_tensors="pt"). transformers is not installable here; its documented
    behaviour is reproduced: the BPE ids of openai/CLIP's SimpleTokenizer.encode (the same vocabulary, merges,
    cleaning and lower-casing), truncated to max_length - 2, then <|startoftext|> (49406), the ids,
    <|endoftext|> (49407), padded with pad_token <|endoftext|> (49407) to max_length."""

    def __init__(self):
        self.bpe = clip_tokenizer.SimpleTokenizer()
        assert self.bpe.encoder["<|startoftext|>"] == BOS and self.bpe.encoder["<|endoftext|>"] == EOS
        assert len(self.bpe.encoder) == VOCAB

    def __call__(self, text, truncation, max_length, return_length, return_overflowing_tokens, padding,
                 return_tensors):
        assert truncation is True and padding == "max_length" and return_tensors == "pt"
        assert not return_overflowing_tokens
        texts = [text] if isinstance(text, str) else list(text)
        rows, lengths = [], []
        for t in texts:
            ids = [BOS] + self.bpe.encode(t)[:max_length - 2] + [EOS]
            lengths.append(len(ids))  # return_length: the length before padding
            rows.append(ids + [EOS] * (max_length - len(ids)))
        out = {"input_ids": torch.tensor(rows, dtype=torch.int64)}
        if return_length:
            out["length"] = torch.tensor(lengths, dtype=torch.int64)
        return out


class HfClipTextModelStandIn:
    """transformers' CLIPTextModel as FrozenCLIPEmbedder.forward calls it (input_ids=...) ->
    .last_hidden_state: openai/CLIP's encode_text with gen_sd1's hooks (the same maths). A plain object, not
    an nn.Module, so that the CLIP weights are not registered twice."""

    def __init__(self, clip_model):
        self.clip_model = clip_model

    def __call__(self, input_ids):
        _, last = base.text_forward(self.clip_model, input_ids)
        return type("CLIPTextModelOutput", (), {"last_hidden_state": last})()


def sd1_embedder(clip_model):
    """CompVis' FrozenCLIPEmbedder created without its __init__ (which downloads the HF model) and given the
    attributes __init__ sets; its own forward / encode run unchanged."""
    emb = FrozenCLIPEmbedder.__new__(FrozenCLIPEmbedder)
    torch.nn.Module.__init__(emb)
    emb.tokenizer = HfClipTokenizerStandIn()
    emb.transformer = HfClipTextModelStandIn(clip_model)
    emb.device = "cpu"
    emb.max_length = CONTEXT
    return emb


# -------------------------------------------------------------------------------- the models ----
def build(perturb):
    if FAMILY == "sd1":
        ldm = base.LatentDiffusionStandIn().eval()
        clip_model = base.build_text_model()
        nets = (ldm.model, ldm.first_stage_model, clip_model)
    else:
        emb = base.build_embedder()
        ldm = base.LatentDiffusionStandIn(emb).eval()
        clip_model = emb.model
        nets = (ldm.model, ldm.first_stage_model, emb.model)
    if perturb:
        gen = torch.Generator().manual_seed(SEED_PERTURB)
        for m in nets:
            fio.perturb_(m, gen)
        for m in nets:  # the reference runs on the weights as the F16 file stores them
            fio.round_module_(m, torch.float16)
    return ldm, clip_model


def state_dict(ldm, clip_model):
    """The checkpoint: network tensors F16; the schedule buffers F32; integer tensors kept."""
    sd = {k: v.detach().clone().contiguous() for k, v in ldm.state_dict().items()}
    if FAMILY == "sd1":
        sd.update(base.openai_to_transformers(clip_model))
    schedule = {k for k in sd if "." not in k}  # DDPM.register_schedule's buffers (betas, alphas_cumprod, ...)
    assert "alphas_cumprod" in schedule and len(schedule) == 12, sorted(schedule)
    out = {}
    for k, v in sd.items():
        if v.is_floating_point() and k not in schedule:
            h = v.to(torch.float16)
            assert torch.equal(h.float(), v), "not F16-exact: " + k
            out[k] = h
        else:
            out[k] = v
    return out, sorted(schedule)


def load(sd):
    """Fresh original modules with the checkpoint's values (floats to float32), loaded with strict=True."""
    sd32 = {k: (v.float() if v.is_floating_point() else v) for k, v in sd.items()}
    if FAMILY == "sd1":
        return base.load_from_checkpoint(sd32, with_ema=False)  # UNet/VAE/schedule strict; CLIP text re-fused
    emb = base.build_embedder()
    ldm = base.LatentDiffusionStandIn(emb).eval()
    ldm.load_state_dict(sd32, strict=True)
    return ldm, emb.model


def txt2img(ldm, clip_model):
    """scripts/txt2img.py's path for one prompt: get_learned_conditioning([prompt]) and ([""]),
    DDIMSampler.sample with x_T = the seeded start code, decode_first_stage, clamp((x+1)/2, 0, 1)."""
    ldm.cond_stage_model = sd1_embedder(clip_model) if FAMILY == "sd1" else ldm.cond_stage_model
    ldm.cond_stage_forward = None
    fed = []
    hook = clip_model.token_embedding.register_forward_pre_hook(lambda m, inp: fed.append(inp[0].clone()))
    with torch.no_grad():
        c = LatentDiffusion.get_learned_conditioning(ldm, [PROMPT])
        uc = LatentDiffusion.get_learned_conditioning(ldm, [NEGATIVE])
    hook.remove()
    assert len(fed) == 2
    shape = [4, HEIGHT // F, WIDTH // F]
    torch.manual_seed(SEED)  # txt2img: seed_everything(seed); start_code = torch.randn([n, C, H/f, W/f])
    x_t = torch.randn([1] + shape)
    if FAMILY == "sd1":
        sampler = base.CpuDDIMSampler(ldm)
    else:
        sampler = base.DDIMSampler(ldm, device=torch.device("cpu"))
    with torch.no_grad():
        samples, _ = sampler.sample(S=STEPS, conditioning=c, batch_size=1, shape=shape, verbose=False,
                                    unconditional_guidance_scale=SCALE, unconditional_conditioning=uc,
                                    eta=ETA, x_T=x_t)
        decoded = ldm.decode_first_stage(samples)
    image01 = torch.clamp((decoded + 1.0) / 2.0, min=0.0, max=1.0)
    if FAMILY == "sd1":
        del ldm.cond_stage_model
    return {"cond_ids": fed[0], "uncond_ids": fed[1], "c": c, "uc": uc, "x_T": x_t,
            "ddim_timesteps": torch.from_numpy(np.asarray(sampler.ddim_timesteps, dtype=np.int64)),
            "samples": samples, "decoded": decoded, "image01": image01}


def to_u8(image01):
    """ldm4j's rule (RgbImage.fromTensor): clamp((x+1)/2, 0, 1) * 255 ROUNDED half up (Java Math.round),
    in double from the float32 (x+1)/2; and CompVis' own (255 * x).astype(uint8), which truncates."""
    x = image01[0].numpy().transpose(1, 2, 0).astype(np.float64)
    rounded = np.floor(255.0 * x + 0.5).astype(np.uint8)
    truncated = (255.0 * image01[0].numpy().transpose(1, 2, 0)).astype(np.uint8)
    return rounded, truncated


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def main():
    os.makedirs(OUT, exist_ok=True)
    ldm, clip_model = build(perturb=True)
    sd, schedule_keys = state_dict(ldm, clip_model)
    fname = NAME + ".safetensors"
    fio.write_safetensors(os.path.join(OUT, fname), sd, {"format": "pt"})

    r = txt2img(ldm, clip_model)
    rounded, truncated = to_u8(r["image01"])
    from PIL import Image
    Image.fromarray(rounded).save(os.path.join(OUT, "expected.png"))

    ref = fio.RefWriter(OUT)
    desc = {
        "cond_ids": "token ids of the prompt as fed to the text encoder [1,77] (recorded at token_embedding)",
        "uncond_ids": "token ids of the empty prompt (uc) as fed [1,77]",
        "c": "c = get_learned_conditioning([prompt]) [1,77,64]",
        "uc": "uc = get_learned_conditioning(['']) [1,77,64]",
        "x_T": "start code: torch.manual_seed(seed); torch.randn([1,4,H/8,W/8])",
        "ddim_timesteps": "sampler.ddim_timesteps (uniform), visited in reverse",
        "samples": "final latents of DDIMSampler.sample",
        "decoded": "decode_first_stage(samples) (1/scale_factor applied)",
        "image01": "clamp((decoded + 1) / 2, 0, 1) [1,3,H,W] (the raw expected image)",
    }
    for k, d in desc.items():
        ref.add(k, r[k], d)
    ref.add("image_u8", torch.from_numpy(rounded), "expected.png's pixels [H,W,3]: round-half-up(255 * image01)")
    ref.add("image_u8_truncated", torch.from_numpy(truncated),
            "(255 * image01 HWC).astype(uint8): what CompVis' txt2img writes (truncation); not the expected PNG")

    # Diagnostic only: the same run with the schedule buffers rounded to F16 (as converters that cast every
    # float write them; CompVis' DDIMSampler then uses the rounded alphas_cumprod, ldm4j computes its own).
    ldm_b, clip_b = load({k: (v.half() if k in schedule_keys else v) for k, v in sd.items()})
    rb, _ = to_u8(txt2img(ldm_b, clip_b)["image01"])
    f16_schedule_psnr = psnr(rb, rounded)
    del ldm_b, clip_b

    cfg = base.TEXT
    manifest = {
        "fixture": NAME,
        "generator": "checkpoint/src/test/python/gen_cli.py %s (run via run_fixtures.sh cli-%s)" % (FAMILY, FAMILY),
        "sources": {k: fio.read_commit(base.SRC, k) for k in
                    (("sd1", "clip", "einops") if FAMILY == "sd1" else ("sd2", "open_clip", "einops"))},
        "environment": fio.environment(),
        "model_code": "gen_%s.py (imported; configuration globals replaced as in 'config')" % FAMILY,
        "tokenization": (
            "SD1 FrozenCLIPEmbedder.forward with a transformers CLIPTokenizer stand-in (transformers is not "
            "installable): openai/CLIP simple_tokenizer.SimpleTokenizer.encode (ftfy stub = identity on printable "
            "ASCII without '&'), truncated to 75, <|startoftext|> 49406 + ids + <|endoftext|> 49407, padded to 77 "
            "with <|endoftext|> 49407 (HF pad_token of openai/clip-vit-large-patch14)"
            if FAMILY == "sd1" else
            "SD2 FrozenOpenCLIPEmbedder.encode -> forward -> open_clip.tokenize (v2.7.0, unchanged): "
            "<start_of_text> 49406 + ids + <end_of_text> 49407, padded to 77 with 0 (ftfy stub = identity on "
            "printable ASCII without '&')"),
        "config": {
            "unet": base.UNET,
            "vae": {"ddconfig": base.DDCONFIG, "embed_dim": base.EMBED_DIM, "scale_factor": base.SCALE_FACTOR},
            "text_encoder": dict(cfg, bos_token_id=BOS, eos_token_id=EOS,
                                 pad_token_id=EOS if FAMILY == "sd1" else 0,
                                 semantics="transformers CLIPTextModel via openai/CLIP encode_text, last layer"
                                 if FAMILY == "sd1" else "open_clip text tower, layer 'penultimate'",
                                 **({"embed_dim": base.CLIP_EMBED_DIM} if FAMILY == "sd2" else {})),
            "schedule": base.SCHEDULE, "parameterization": base.PARAMETERIZATION,
            "seeds": {"unet": base.SEED_UNET, "vae": base.SEED_VAE, "text": base.SEED_TEXT,
                      "perturbation": SEED_PERTURB},
        },
        "checkpoint": {"file": fname, "format": "safetensors", "metadata": {"format": "pt"},
                       "dtypes": "network weights F16 (the reference ran in float32 on exactly these values); "
                                 "the 12 schedule buffers F32 (as register_schedule computes them: ldm4j computes "
                                 "the schedule itself, CompVis' sampler reads these buffers); position_ids I64",
                       "bytes": os.path.getsize(os.path.join(OUT, fname)),
                       "sha256": fio.sha256_file(os.path.join(OUT, fname))},
        "txt2img": {
            "prompt": PROMPT, "negative_prompt": NEGATIVE, "seed": SEED, "steps": STEPS,
            "guidance_scale": SCALE, "ddim_eta": ETA, "ddim_discretize": "uniform", "width": WIDTH,
            "height": HEIGHT, "batch_size": 1, "parameterization": base.PARAMETERIZATION,
            "prompt_ids": r["cond_ids"][0].tolist(), "negative_prompt_ids": r["uncond_ids"][0].tolist(),
            "sampler": ("CompVis DDIMSampler.sample (via gen_sd1.CpuDDIMSampler)" if FAMILY == "sd1"
                        else "Stability-AI DDIMSampler.sample (device cpu)"),
            "start_code": "torch.manual_seed(%d); torch.randn([1, 4, %d, %d])" % (SEED, HEIGHT // F, WIDTH // F),
            "png": "expected.png",
            "to_uint8": "x = clamp((decoded+1)/2, 0, 1); floor(255 * x + 0.5) in float64 = ldm4j's "
                        "RgbImage.fromTensor (Math.round); CompVis' script truncates instead (image_u8_truncated)",
            "psnr_truncated_vs_rounded_db": psnr(truncated, rounded),
            "psnr_f16_schedule_buffers_db": f16_schedule_psnr,
            "ldm4j": ("ldm4j generate --model %s --prompt '%s' --sampler ddim --scheduler ddim_uniform --rng torch "
                      "--seed %d --steps %d --guidance-scale %s --width %d --height %d%s --output out.png"
                      % (fname, PROMPT, SEED, STEPS, SCALE, WIDTH, HEIGHT,
                         " --prediction v" if base.PARAMETERIZATION == "v" else "")),
        },
        "state_dict": fio.state_dict_listing(sd),
        "tensors": ref.entries,
    }
    fio.write_json(os.path.join(OUT, "manifest.json"), manifest)
    print("wrote", OUT, "prompt ids", r["cond_ids"][0].tolist())
    print("PSNR truncated vs rounded %.2f dB; F16 schedule buffers vs F32 %.2f dB"
          % (psnr(truncated, rounded), f16_schedule_psnr))
    self_check(r, rounded)


def self_check(r, rounded):
    """Reads the written safetensors back (own parser), checks its dtypes, loads it with strict=True into
    freshly built original modules and re-runs the whole txt2img path: every stored output bit for bit."""
    sd, meta = fio.read_safetensors(os.path.join(OUT, NAME + ".safetensors"))
    assert meta == {"format": "pt"}
    for k, v in sd.items():
        if "." in k and v.is_floating_point():
            assert v.dtype == torch.float16, k
    ldm, clip_model = load(sd)
    again = txt2img(ldm, clip_model)
    for k in ("cond_ids", "uncond_ids", "c", "uc", "x_T", "samples", "decoded", "image01"):
        assert torch.equal(again[k], r[k]), "self-check: " + k
    from PIL import Image
    png = np.asarray(Image.open(os.path.join(OUT, "expected.png")).convert("RGB"))
    assert np.array_equal(png, rounded) and np.array_equal(to_u8(again["image01"])[0], rounded)
    print("self-check passed: the F16 checkpoint reloads (strict) into the original modules and reproduces "
          "the prompt's ids, c, uc, latents and image bit for bit")


if __name__ == "__main__":
    main()
