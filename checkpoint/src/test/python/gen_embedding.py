"""Generates the textual-inversion fixture (fixtures/embedding) by RUNNING openai/CLIP's original text model
(clip/model.py CLIP: token_embedding, positional_embedding, transformer, ln_final; tokenizer
clip/simple_tokenizer.py) on the small seeded checkpoint of the command-line fixture (fixtures/cli-sd1:
CLIP's full 49,408-entry vocabulary, width 64), with textual-inversion vectors put into the token-embedding
sequence where the prompt names them -- what A1111's EmbeddingsWithFixes does after the token embedding:

    ids = BOS, prompt tokens (an embedding's name -> k placeholder positions), EOS, padded with EOS to 77
    x = token_embedding(ids); x[positions of embedding e] = e's k vectors
    last_hidden_state = ln_final(transformer(x + positional_embedding))   (the steps of CLIP.encode_text)

It also writes the embedding files the Java side reads: `myemb.pt` in A1111's torch.save layout
({'string_to_token': {'*': 265}, 'string_to_param': {'*': tensor[k, width]}, 'name', 'step',
'sd_checkpoint', 'sd_checkpoint_name'}), `twovec.safetensors` ({'emb_params': [k, width]}), `sdxl.safetensors`
({'clip_l': [k, 768], 'clip_g': [k, 1280]}), `learned_embeds.bin` (diffusers: {'<tok>': [width]}) and
`wide.pt` (an SD 2.x width, 1024).

Run: prepare_sources.sh (only the `clip` line of sources.txt is needed), then
    PYTHONPATH="$here/stubs:$REF_SRC/clip" /usr/bin/python3 gen_embedding.py
(run_fixtures.sh embedding). Deterministic: fixed seeds, one thread.
"""

import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("REF_SRC", "/tmp/ldm4j-ref-src")
FIXTURES = os.environ.get("FIXTURES_OUT", os.path.join(HERE, "..", "resources", "fixtures"))

import fixture_io as fio  # noqa: E402

import clip.model as openai_clip  # noqa: E402  openai/CLIP
import clip.simple_tokenizer as clip_tokenizer  # noqa: E402

for mod in (openai_clip, clip_tokenizer):
    assert os.path.abspath(mod.__file__).startswith(os.path.join(os.path.abspath(SRC), "clip")), mod.__file__

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

OUT = os.path.join(FIXTURES, "embedding")
CHECKPOINT = os.path.join(FIXTURES, "cli-sd1", "cli-sd1.safetensors")
VOCAB, CONTEXT, BOS, EOS, WIDTH, HEADS, LAYERS = 49408, 77, 49406, 49407, 64, 1, 2  # as gen_cli.py sd1
SEED = 2024

# prompt -> what the Java side must reproduce; the names are matched on tokens, as A1111 does
PROMPTS = [
    "a photo of myemb on a hill",
    "twovec, myemb and a red fox",
    "a red fox on a hill",  # no embedding: the plain encoder
]
EMBEDDINGS = {}  # name -> [k, WIDTH] float32


def build_text_model(sd):
    """openai/CLIP's CLIP (text path used) with the checkpoint's text-encoder weights (transformers names)."""
    model = openai_clip.CLIP(embed_dim=WIDTH, image_resolution=32, vision_layers=1, vision_width=64,
                             vision_patch_size=16, context_length=CONTEXT, vocab_size=VOCAB,
                             transformer_width=WIDTH, transformer_heads=HEADS, transformer_layers=LAYERS).eval()
    p = "cond_stage_model.transformer.text_model."
    w = {
        "token_embedding.weight": sd[p + "embeddings.token_embedding.weight"],
        "positional_embedding": sd[p + "embeddings.position_embedding.weight"],
        "ln_final.weight": sd[p + "final_layer_norm.weight"],
        "ln_final.bias": sd[p + "final_layer_norm.bias"],
    }
    for i in range(LAYERS):
        o, h = "transformer.resblocks.%d." % i, p + "encoder.layers.%d." % i
        for kind in ("weight", "bias"):
            w[o + "attn.in_proj_" + kind] = torch.cat([sd[h + "self_attn.%s_proj.%s" % (x, kind)] for x in "qkv"])
            w[o + "attn.out_proj." + kind] = sd[h + "self_attn.out_proj." + kind]
            w[o + "ln_1." + kind] = sd[h + "layer_norm1." + kind]
            w[o + "ln_2." + kind] = sd[h + "layer_norm2." + kind]
            w[o + "mlp.c_fc." + kind] = sd[h + "mlp.fc1." + kind]
            w[o + "mlp.c_proj." + kind] = sd[h + "mlp.fc2." + kind]
    w = {k: v.float() for k, v in w.items()}
    missing, unexpected = model.load_state_dict(w, strict=False)
    assert not unexpected and all(k.startswith(("visual.", "text_projection", "logit_scale")) for k in missing), missing
    return model


def tokens_with_embeddings(tok, prompt):
    """Prompt -> (ids, [(position, name)]): openai/CLIP's BPE, then every token run spelling an embedding's
    name (tokenized alone) replaced by k placeholder positions (id 0, as A1111)."""
    content = tok.encode(prompt)
    names = sorted(((tok.encode(n), n) for n in EMBEDDINGS), key=lambda x: -len(x[0]))
    ids, fixes, i = [], [], 0
    while i < len(content):
        for name_ids, name in names:
            if content[i:i + len(name_ids)] == name_ids:
                fixes.append((1 + len(ids), name))
                ids += [0] * EMBEDDINGS[name].shape[0]
                i += len(name_ids)
                break
        else:
            ids.append(content[i])
            i += 1
    assert len(ids) <= CONTEXT - 2
    row = [BOS] + ids + [EOS]
    return row + [EOS] * (CONTEXT - len(row)), fixes


def encode(model, ids, fixes):
    """CLIP.encode_text's steps with the embedding vectors written into the token-embedding output."""
    with torch.no_grad():
        x = model.token_embedding(torch.tensor([ids]))  # [1, 77, d]
        for pos, name in fixes:
            v = EMBEDDINGS[name]
            x[0, pos:pos + v.shape[0]] = v
        x = x + model.positional_embedding
        x = model.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        return model.ln_final(x)


def main():
    os.makedirs(OUT, exist_ok=True)
    sd, _ = fio.read_safetensors(CHECKPOINT)
    model = build_text_model(sd)
    tok = clip_tokenizer.SimpleTokenizer()
    gen = torch.Generator().manual_seed(SEED)
    # vectors at the scale of the checkpoint's token embeddings, so that they visibly move the output
    scale = float(model.token_embedding.weight.std())
    EMBEDDINGS["myemb"] = (torch.randn(3, WIDTH, generator=gen) * scale).float()
    EMBEDDINGS["twovec"] = (torch.randn(2, WIDTH, generator=gen) * scale).float()

    # A1111's torch.save layout (textual_inversion.py Embedding.save); the vector is a leaf that requires grad
    vec = EMBEDDINGS["myemb"].clone().requires_grad_(True)
    torch.save({"string_to_token": {"*": 265}, "string_to_param": {"*": vec}, "name": "myemb", "step": 100,
                "sd_checkpoint": "0123456789", "sd_checkpoint_name": "cli-sd1"}, os.path.join(OUT, "myemb.pt"))
    fio.write_safetensors(os.path.join(OUT, "twovec.safetensors"), {"emb_params": EMBEDDINGS["twovec"]})
    fio.write_safetensors(os.path.join(OUT, "sdxl.safetensors"),
                          {"clip_g": torch.randn(2, 1280, generator=gen).half(),
                           "clip_l": torch.randn(2, 768, generator=gen).half()})
    torch.save({"<cat-toy>": torch.randn(WIDTH, generator=gen)}, os.path.join(OUT, "learned_embeds.bin"))
    torch.save({"string_to_token": {"*": 265}, "string_to_param": {"*": torch.randn(1, 1024, generator=gen)},
                "name": "wide"}, os.path.join(OUT, "wide.pt"))

    ref = fio.RefWriter(OUT)
    for n, v in EMBEDDINGS.items():
        ref.add("vectors_" + n, v, "the vectors of embedding " + n)
    cases = []
    for i, prompt in enumerate(PROMPTS):
        ids, fixes = tokens_with_embeddings(tok, prompt)
        out = encode(model, ids, fixes)
        ref.add("c%d" % i, out, "last_hidden_state of %r with the embeddings at %s" % (prompt, fixes))
        cases.append({"prompt": prompt, "ids": ids, "embedding_positions": [[p, n] for p, n in fixes],
                      "tensor": "c%d" % i})
    fio.write_json(os.path.join(OUT, "manifest.json"), {
        "what": "textual-inversion embeddings in the SD 1.x conditioning, reference: openai/CLIP text model",
        "sources": {"clip": fio.read_commit(SRC, "clip")},
        "checkpoint": "../cli-sd1/cli-sd1.safetensors (its text encoder; weights F16, run in float32)",
        "embeddings": {n: {"vectors": int(v.shape[0]), "width": int(v.shape[1])} for n, v in EMBEDDINGS.items()},
        "files": {"myemb.pt": "A1111 .pt, string_to_param['*'] = myemb",
                  "twovec.safetensors": "A1111 safetensors, emb_params = twovec",
                  "sdxl.safetensors": "SDXL layout: clip_l [2, 768], clip_g [2, 1280] (F16)",
                  "learned_embeds.bin": "diffusers layout: {'<cat-toy>': [64]}",
                  "wide.pt": "A1111 .pt of width 1024 (SD 2.x): wrong width for this model"},
        "cases": cases,
        "tensors": ref.entries,
        "environment": fio.environment(),
        "reference_code": "openai/CLIP clip/model.py CLIP (token_embedding, positional_embedding, transformer, "
                          "ln_final: the steps of encode_text) and clip/simple_tokenizer.py; the vector insertion "
                          "after token_embedding is ldm4j's test code (A1111 EmbeddingsWithFixes semantics)",
    })
    # self-check: the files read back give the vectors used
    back = torch.load(os.path.join(OUT, "myemb.pt"))
    assert torch.equal(back["string_to_param"]["*"].detach(), EMBEDDINGS["myemb"])
    assert torch.equal(fio.read_safetensors(os.path.join(OUT, "twovec.safetensors"))[0]["emb_params"], EMBEDDINGS["twovec"])
    print("wrote", OUT)


if __name__ == "__main__":
    main()
