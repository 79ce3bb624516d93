"""Writing helpers shared by the fixture generators (ldm4j's own code, no reference code in here).

* safetensors is written by hand (no safetensors package in Debian): 8-byte little-endian header
  length, JSON header {name: {dtype, shape, data_offsets}} (+ "__metadata__"), padded with spaces to a
  multiple of 8, then the raw little-endian tensor bytes in header order.
* reference tensors are raw little-endian files (one per tensor) described in the manifest.
"""

import hashlib
import json
import os
import platform
import sys

import numpy as np
import torch

assert sys.byteorder == "little", "fixtures are written little-endian; run on a little-endian machine"

ST_DTYPES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


ST_FROM_NAME = {v: k for k, v in ST_DTYPES.items()}


def read_safetensors(path):
    """Independent read-back of a safetensors file (header + raw bytes, no torch.load), for self-checks."""
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    end = 0
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, stop = e["data_offsets"]
        dt = ST_FROM_NAME[e["dtype"]]
        raw = bytearray(data[base + b:base + stop])
        if dt == torch.bfloat16:
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16) if raw else torch.empty(0, dtype=dt)
        else:
            t = torch.frombuffer(raw, dtype=dt) if raw else torch.empty(0, dtype=dt)
        out[name] = t.reshape(e["shape"]).clone()
        end = max(end, stop)
    assert base + end == len(data), "trailing bytes in " + path
    return out, header.get("__metadata__")


def assert_same(expected, actual, what):
    """Exact equality of two name -> tensor dicts."""
    assert list(expected) == list(actual), what + ": names differ"
    for k in expected:
        a, b = expected[k], actual[k]
        assert a.dtype == b.dtype and a.shape == b.shape, "%s: %s %s/%s %s/%s" % (what, k, a.dtype, b.dtype,
                                                                                  a.shape, b.shape)
        assert torch.equal(a, b), "%s: %s differs (max %g)" % (what, k, (a.double() - b.double()).abs().max())


def tensor_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> torch.Tensor, written in sorted name order."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        b = tensor_bytes(t)
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(hb).to_bytes(8, "little"))
        f.write(hb)
        for b in blobs:
            f.write(b)


def state_dict_listing(sd):
    """name -> [dtype, shape] for a manifest."""
    return {k: [ST_DTYPES[v.dtype], list(v.shape)] for k, v in sorted(sd.items())}


def convert_floats(sd, dtype):
    """A copy of sd with every floating tensor converted to dtype (as fp16/bf16 checkpoint converters do);
    integer tensors are kept."""
    return {k: (v.to(dtype) if v.is_floating_point() else v.clone()) for k, v in sd.items()}


def round_module_(module, dtype):
    """Rounds every floating parameter and buffer of module to dtype and back to float32 in place."""
    with torch.no_grad():
        for p in list(module.parameters()) + list(module.buffers()):
            if p.is_floating_point():
                p.copy_(p.to(dtype).to(torch.float32))


def perturb_(module, gen, zero_std_scale=0.5):
    """Makes a freshly initialised module's weights 'non-trivial' so a test is meaningful:
    normalisation weights become 1 + 0.1*N(0,1), their biases 0.1*N(0,1); every parameter that is
    entirely zero (zero_module() outputs, attention/linear biases) gets N(0,1) * zero_std_scale/sqrt(fan_in)
    (1-d ones: 0.05*N(0,1)). Everything else keeps its (seeded) default initialisation."""
    norm_types = (torch.nn.GroupNorm, torch.nn.LayerNorm, torch.nn.BatchNorm2d)
    with torch.no_grad():
        norm_params = set()
        for m in module.modules():
            if isinstance(m, norm_types):
                if m.weight is not None:
                    m.weight.copy_(1.0 + 0.1 * torch.randn(m.weight.shape, generator=gen))
                    norm_params.add(id(m.weight))
                if m.bias is not None:
                    m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
                    norm_params.add(id(m.bias))
        for name, p in module.named_parameters():
            if id(p) in norm_params or not p.is_floating_point():
                continue
            if bool((p == 0).all()):
                if p.dim() >= 2:
                    fan_in = p[0].numel()
                    p.copy_(torch.randn(p.shape, generator=gen) * (zero_std_scale / fan_in ** 0.5))
                else:
                    p.copy_(0.05 * torch.randn(p.shape, generator=gen))


class RefWriter:
    """Collects reference tensors as raw little-endian files under <fixture_dir>/ref/."""

    def __init__(self, fixture_dir):
        self.dir = fixture_dir
        self.refdir = os.path.join(fixture_dir, "ref")
        os.makedirs(self.refdir, exist_ok=True)
        self.entries = {}
        self.tensors = {}

    def add(self, name, tensor, description, dtype=None):
        t = tensor.detach().cpu()
        if dtype is not None:
            t = t.to(dtype)
        t = t.contiguous()
        if name in self.entries:
            raise ValueError("duplicate reference name " + name)
        rel = "ref/" + name + ".bin"
        with open(os.path.join(self.dir, rel), "wb") as f:
            f.write(tensor_bytes(t))
        self.entries[name] = {"file": rel, "dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                              "description": description}
        self.tensors[name] = t
        return t


def read_commit(src_root, name):
    with open(os.path.join(src_root, name, "COMMIT")) as f:
        repo, commit = f.read().split()
    return {"repository": "https://github.com/" + repo, "commit": commit}


def environment():
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "torch_num_threads": torch.get_num_threads(),
        "note": "Debian bookworm python3-torch 1.13.1+dfsg (CPU); torch.__version__ reads as shown",
    }


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=False)
        f.write("\n")


def legacy_save_stable(obj, path, state_dict_key="state_dict"):
    """torch's legacy (non-zip) format names storages by their memory address (storage._cdata), so the
    bytes differ between runs. To keep reruns byte-identical, an existing file is kept when it loads to
    exactly the same content; otherwise it is rewritten."""
    if os.path.exists(path):
        try:
            old = torch.load(path, map_location="cpu")
            same = set(old) == set(obj) and all(
                k == state_dict_key or old[k] == obj[k] for k in obj)
            if same:
                a, b = old[state_dict_key], obj[state_dict_key]
                same = list(a) == list(b) and all(
                    a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and torch.equal(a[k], b[k])
                    for k in a)
            if same:
                return False
        except Exception:  # noqa: BLE001 - any unreadable old file is simply replaced
            pass
    torch.save(obj, path, _use_new_zipfile_serialization=False)
    return True
