#!/usr/bin/env python3
"""Writes the small real PyTorch checkpoints that TorchCheckpointRealFilesTest reads.

Run with a Python that has torch (Debian: apt-get install python3-torch, then /usr/bin/python3):

    /usr/bin/python3 checkpoint/src/test/python/make_torch_fixtures.py \
        checkpoint/src/test/resources/io/github/ldm4j/checkpoint/pickle/torch

Every file is written twice, by torch.save's zip format (the default since torch 1.6) and by the
legacy format (_use_new_zipfile_serialization=False). expected.json holds, for every tensor of the
state dicts, its dtype, shape and little-endian bytes (hex), as computed here by torch.

The Lightning-like file names its callback state by the class
pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint (as Lightning 1.4 did, the version
CompVis trained Stable Diffusion v1 with); a stand-in module of that name is registered here so that
pickle writes the same global without Lightning being installed.
"""
import collections
import json
import sys
import types
from pathlib import Path

import numpy as np
import torch


def stand_in_model_checkpoint():
    names = ["pytorch_lightning", "pytorch_lightning.callbacks", "pytorch_lightning.callbacks.model_checkpoint"]
    for name in names:
        sys.modules.setdefault(name, types.ModuleType(name))
    module = sys.modules[names[-1]]

    class ModelCheckpoint:
        pass

    ModelCheckpoint.__module__ = names[-1]
    ModelCheckpoint.__qualname__ = "ModelCheckpoint"
    module.ModelCheckpoint = ModelCheckpoint
    return ModelCheckpoint


def state_dict():
    w = torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1.25
    sd = collections.OrderedDict()
    sd["model.diffusion_model.w_f32"] = w
    sd["model.diffusion_model.row1"] = w[1]  # a view: storage offset 3, shared storage
    sd["model.w_f16"] = torch.tensor([1.0, -2.5, 65504.0, 1e-4], dtype=torch.float16)
    sd["model.w_bf16"] = torch.tensor([[3.140625, -0.5], [1e30, 7.0]], dtype=torch.bfloat16)
    sd["model.w_f64"] = torch.tensor([0.1, -1e-300, 2.0], dtype=torch.float64)
    sd["model.param"] = torch.nn.Parameter(torch.tensor([[0.25, 0.75]], dtype=torch.float32))
    sd["model.buf_i64"] = torch.tensor([1, -2, 1 << 40], dtype=torch.int64)
    sd["model.scalar_f32"] = torch.tensor(42.5, dtype=torch.float32)
    sd["model.empty"] = torch.zeros(0, 4, dtype=torch.float32)
    sd["model_ema.num_updates"] = torch.tensor(7, dtype=torch.int)  # CompVis LitEma's 0-d buffer
    sd["model_ema.decay"] = torch.tensor(0.9999, dtype=torch.float32)
    sd._metadata = collections.OrderedDict([("", {"version": 1})])  # as nn.Module.state_dict() sets it
    return sd


def lightning(sd, model_checkpoint):
    first = next(iter(sd.values()))
    return {
        "epoch": 3,
        "global_step": 1234,
        "pytorch-lightning_version": "1.4.2",
        "state_dict": sd,
        "callbacks": {
            model_checkpoint: {
                "monitor": None,
                "best_model_score": np.float64(0.25),
                "best_model_path": "",
                "current_score": None,
                "dirpath": "/logs/checkpoints",
                "kth_value": torch.tensor(float("inf")),
            }
        },
        "optimizer_states": [
            {
                "state": {0: {"step": 10, "exp_avg": torch.ones_like(first)}},
                "param_groups": [{"lr": 1e-4, "betas": (0.9, 0.999), "params": [0]}],
            }
        ],
        "lr_schedulers": [],
        "hparams_keys": {"a", "b"},
    }


def expected(sd):
    out = {}
    for name, t in sd.items():
        t = t.detach().contiguous()
        raw = t.view(torch.int16) if t.dtype == torch.bfloat16 else t
        out[name] = {
            "dtype": str(t.dtype).removeprefix("torch."),
            "shape": list(t.shape),
            "hex": raw.numpy().astype(raw.numpy().dtype.newbyteorder("<")).tobytes().hex(),
        }
    return out


def main():
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model_checkpoint = stand_in_model_checkpoint()
    sd = state_dict()
    objects = {
        "plain": sd,
        "lightning": lightning(sd, model_checkpoint),
        "noncontiguous": {"t": torch.arange(6, dtype=torch.float32).reshape(2, 3).t()},
    }
    for stem, obj in objects.items():
        torch.save(obj, target / f"{stem}.zip.pt")
        torch.save(obj, target / f"{stem}.legacy.pt", _use_new_zipfile_serialization=False)
    (target / "expected.json").write_text(
        json.dumps({"torch": torch.__version__, "numpy": np.__version__, "tensors": expected(sd)}, indent=1) + "\n")


if __name__ == "__main__":
    main()
