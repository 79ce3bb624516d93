"""Stub: SD2's ldm/modules/encoders/modules.py imports these at module level; only its
FrozenOpenCLIPEmbedder (which uses open_clip, not transformers) is used here."""


class _Unavailable:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("transformers stub: not available to the ldm4j fixtures")

    @classmethod
    def from_pretrained(cls, *args, **kwargs):
        raise RuntimeError("transformers stub: not available to the ldm4j fixtures")


T5Tokenizer = T5EncoderModel = CLIPTokenizer = CLIPTextModel = _Unavailable
