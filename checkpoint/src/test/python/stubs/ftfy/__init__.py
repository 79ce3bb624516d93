"""Stub: imported by the CLIP/OpenCLIP tokenizers. The network fixtures give token ids and never call it;
gen_cli.py tokenizes prompt strings, which it restricts to text that ftfy.fix_text returns unchanged
(printable ASCII without '&': nothing to unescape, no mojibake, quotes, ligatures, widths or control
characters to fix). Anything else raises instead of guessing."""


def fix_text(text):
    if all(0x20 <= ord(ch) <= 0x7E for ch in text) and "&" not in text:
        return text
    raise RuntimeError("ftfy stub: only printable ASCII without '&' (which ftfy leaves unchanged) is supported")
