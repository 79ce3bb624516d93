"""Cross-check of the documented key layouts, using ONLY the fixture files (no reference code imported).

A plain numpy forward pass of the text encoders, written from the key names alone, must reproduce the
reference outputs that the original code produced:
* sd1-small: transformers CLIPTextModel layout (q/k/v split, quick_gelu, final_layer_norm) ->
  text_last_hidden_state and every hidden state;
* sd2-small: open_clip layout (fused in_proj_weight, GELU, ln_final) -> text_penultimate / text_last.
This checks the README's mapping (q,k,v order of in_proj, head split, masks), not the reference code.
It also checks every tensor file's size against the manifest and the safetensors headers' layout.

    /usr/bin/python3 crosscheck_layouts.py [fixtures-dir]
"""

import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "resources", "fixtures")
NP = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8, "F16": np.float16}


def read_st(path):
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    assert n % 8 == 0, "header not padded to 8"
    header = json.loads(data[8:8 + n])
    out, pos = {}, 0
    for name, e in sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                          key=lambda kv: kv[1]["data_offsets"][0]):
        b, s = e["data_offsets"]
        assert b == pos, "gap before " + name
        pos = s
        raw = data[8 + n + b:8 + n + s]
        if e["dtype"] == "BF16":
            arr = (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            arr = np.frombuffer(raw, NP[e["dtype"]])
        assert arr.size == int(np.prod(e["shape"])), name
        out[name] = arr.reshape(e["shape"]).astype(np.float64) if e["dtype"][0] in "FB" else arr.reshape(e["shape"])
    assert 8 + n + pos == len(data)
    return out


def refs(fixture):
    with open(os.path.join(ROOT, fixture, "manifest.json")) as f:
        m = json.load(f)
    out = {}
    for k, e in m["tensors"].items():
        path = os.path.join(ROOT, fixture, e["file"])
        a = np.fromfile(path, NP[e["dtype"]])
        assert a.size == int(np.prod(e["shape"])), k
        out[k] = a.reshape(e["shape"])
    return m, out


def ln(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def attention(x, wq, bq, wk, bk, wv, bv, wo, bo, heads):
    n, t, d = x.shape
    hd = d // heads
    q = (x @ wq.T + bq).reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
    k = (x @ wk.T + bk).reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
    v = (x @ wv.T + bv).reshape(n, t, heads, hd).transpose(0, 2, 1, 3)
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)
    s = s + np.triu(np.full((t, t), -np.inf), 1)
    s = np.exp(s - s.max(-1, keepdims=True))
    s /= s.sum(-1, keepdims=True)
    o = (s @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
    return o @ wo.T + bo


def gelu(x):
    from math import erf
    return 0.5 * x * (1 + np.vectorize(erf)(x / math.sqrt(2)))


def sd1_text(sd, ids, cfg):
    p = "cond_stage_model.transformer.text_model."
    x = sd[p + "embeddings.token_embedding.weight"][ids] + \
        sd[p + "embeddings.position_embedding.weight"][sd[p + "embeddings.position_ids"][0][:ids.shape[1]]]
    hidden = [x]
    for i in range(cfg["num_hidden_layers"]):
        h = p + "encoder.layers.%d." % i
        g = lambda n: sd[h + n]  # noqa: E731
        a = ln(x, g("layer_norm1.weight"), g("layer_norm1.bias"))
        x = x + attention(a, g("self_attn.q_proj.weight"), g("self_attn.q_proj.bias"), g("self_attn.k_proj.weight"),
                          g("self_attn.k_proj.bias"), g("self_attn.v_proj.weight"), g("self_attn.v_proj.bias"),
                          g("self_attn.out_proj.weight"), g("self_attn.out_proj.bias"), cfg["num_attention_heads"])
        a = ln(x, g("layer_norm2.weight"), g("layer_norm2.bias"))
        a = a @ g("mlp.fc1.weight").T + g("mlp.fc1.bias")
        a = a * (1 / (1 + np.exp(-1.702 * a)))  # quick_gelu
        x = x + a @ g("mlp.fc2.weight").T + g("mlp.fc2.bias")
        hidden.append(x)
    return np.stack(hidden), ln(x, sd[p + "final_layer_norm.weight"], sd[p + "final_layer_norm.bias"])


def sd2_text(sd, ids, cfg, skip_last):
    p = "cond_stage_model.model."
    x = sd[p + "token_embedding.weight"][ids] + sd[p + "positional_embedding"]
    w = cfg["width"]
    for i in range(cfg["layers"] - (1 if skip_last else 0)):
        h = p + "transformer.resblocks.%d." % i
        g = lambda n: sd[h + n]  # noqa: E731
        a = ln(x, g("ln_1.weight"), g("ln_1.bias"))
        W, B = g("attn.in_proj_weight"), g("attn.in_proj_bias")
        x = x + attention(a, W[:w], B[:w], W[w:2 * w], B[w:2 * w], W[2 * w:], B[2 * w:],
                          g("attn.out_proj.weight"), g("attn.out_proj.bias"), cfg["heads"])
        a = ln(x, g("ln_2.weight"), g("ln_2.bias"))
        a = gelu(a @ g("mlp.c_fc.weight").T + g("mlp.c_fc.bias"))
        x = x + a @ g("mlp.c_proj.weight").T + g("mlp.c_proj.bias")
    return ln(x, sd[p + "ln_final.weight"], sd[p + "ln_final.bias"])


def close(name, a, b, tol=2e-4):
    err = float(np.abs(a - b).max())
    assert err < tol, "%s: max |diff| %g" % (name, err)
    print("  %-40s max |diff| %.2e" % (name, err))


def main():
    m, r = refs("sd1-small")
    cfg = m["config"]["text_encoder"]
    for f, prefix in (("sd1-small-fp32.safetensors", ""), ("sd1-small-fp16.safetensors", "fp16w_"),
                      ("sd1-small-bf16.safetensors", "bf16w_")):
        sd = read_st(os.path.join(ROOT, "sd1-small", f))
        hidden, last = sd1_text(sd, r["text_ids"], cfg)
        print("sd1-small", f)
        close(prefix + "text_last_hidden_state", last, r[prefix + "text_last_hidden_state"])
        close(prefix + "text_hidden_states", hidden, r[prefix + "text_hidden_states"])
        ema = [k for k in sd if k.startswith("model_ema.") and k not in ("model_ema.decay", "model_ema.num_updates")]
        unet = [k for k in sd if k.startswith("model.")]
        if ema:
            assert sorted(ema) == sorted("model_ema." + k[len("model."):].replace(".", "") for k in unet)
            print("  model_ema.* names = model.* names without 'model.' and dots: %d tensors" % len(ema))
    m, r = refs("sd2-small")
    cfg = m["config"]["text_encoder"]
    sd = read_st(os.path.join(ROOT, "sd2-small", "sd2-small-fp32.safetensors"))
    print("sd2-small sd2-small-fp32.safetensors")
    close("text_penultimate", sd2_text(sd, r["text_ids"], cfg, True), r["text_penultimate"])
    close("text_last", sd2_text(sd, r["text_ids"], cfg, False), r["text_last"])
    print("layouts confirmed")


if __name__ == "__main__":
    main()
