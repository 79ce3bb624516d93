"""Writes the reference safetensors files of SafetensorsReferenceFilesTest with the safetensors
package itself (its Rust serializer, through the low-level TensorSpec API, so that every dtype,
bfloat16 included, is written from raw little-endian bytes).

    python3 -m venv /tmp/st && /tmp/st/bin/pip install safetensors==0.8.0 numpy
    /tmp/st/bin/python make_reference_files.py   # writes next to this script

The expected values are spelled out again in SafetensorsReferenceFilesTest: change both together.
"""
import os

import numpy as np
from safetensors import TensorSpec, serialize_file

HERE = os.path.dirname(os.path.abspath(__file__))


def spec(dtype, shape, array, keep):
    array = np.ascontiguousarray(array)
    keep.append(array)
    return TensorSpec(dtype=dtype, shape=list(shape), data_ptr=array.ctypes.data, data_len=array.nbytes)


def write(name, tensors, metadata=None):
    keep = []
    specs = {k: spec(d, s, a.astype(a.dtype.newbyteorder("<")), keep) for k, (d, s, a) in tensors.items()}
    serialize_file(specs, os.path.join(HERE, name), metadata=metadata)


u16 = lambda *bits: np.array(bits, dtype="<u2")

# One tensor of every dtype ldm4j reads, with the edge values of the float conversions.
write("all-dtypes.safetensors", {
    "f64": ("float64", [4], np.array([1.5, -2.25, 1e300, 0.1], dtype="<f8")),
    "f32": ("float32", [2, 3], np.arange(6, dtype="<f4") * 0.5 - 1),
    # 1, -2, smallest subnormal 2^-24, largest normal 65504, -0, +inf, nan
    "f16": ("float16", [7], u16(0x3C00, 0xC000, 0x0001, 0x7BFF, 0x8000, 0x7C00, 0x7E00)),
    # 1, -3, smallest subnormal 2^-133, +inf, -inf, nan
    "bf16": ("bfloat16", [6], u16(0x3F80, 0xC040, 0x0001, 0x7F80, 0xFF80, 0x7FC0)),
    "i64": ("int64", [1, 5], np.arange(5, dtype="<i8")),
    "i32": ("int32", [], np.array(123456, dtype="<i4")),
    "i16": ("int16", [3], np.array([-1, 0, 32767], dtype="<i2")),
    "i8": ("int8", [2], np.array([-128, 127], dtype="i1")),
    "u8": ("uint8", [3], np.array([0, 128, 255], dtype="u1")),
    "bool": ("bool", [2, 2], np.array([1, 0, 0, 1], dtype="u1")),
}, metadata={"format": "pt"})

# The shape of a Stable Diffusion v1 checkpoint in miniature: fp16 UNet weights, a bf16 one, fp32
# VAE and schedule buffers, the int64 CLIP position_ids and the EMA's 0-d int32 num_updates.
write("sd-tiny.safetensors", {
    "model.diffusion_model.input_blocks.0.0.weight": ("float16", [2, 1, 3, 3], (np.arange(18, dtype="<f2") - 9) / 8),
    "model.diffusion_model.input_blocks.0.0.bias": ("float16", [2], np.array([0.5, -0.5], dtype="<f2")),
    "model.diffusion_model.out.2.weight": ("bfloat16", [1, 2], u16(0x3F80, 0xBF00)),
    "first_stage_model.encoder.conv_in.weight": ("float32", [1, 1, 1, 1], np.array([0.18215], dtype="<f4")),
    "alphas_cumprod": ("float32", [4], np.array([0.99915, 0.99830, 0.99744, 0.99659], dtype="<f4")),
    "model_ema.decay": ("float32", [], np.array(0.9999, dtype="<f4")),
    "model_ema.num_updates": ("int32", [], np.array(0, dtype="<i4")),
    "cond_stage_model.transformer.text_model.embeddings.position_ids": ("int64", [1, 77], np.arange(77, dtype="<i8")),
})

# Zero-element tensors, a non-ASCII name and metadata that needs JSON escapes.
write("zero-size.safetensors", {
    "empty": ("float32", [0, 3], np.zeros(0, dtype="<f4")),
    "gewicht.ä": ("uint8", [0], np.zeros(0, dtype="u1")),
    "one": ("float16", [1], np.array([1.0], dtype="<f2")),
}, metadata={"note": "tab\there, \"quoted\", ✓"})
