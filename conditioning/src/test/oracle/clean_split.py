"""Reference text cleaning and pre-tokenization, with the very library calls OpenAI CLIP's
simple_tokenizer.py makes (html.unescape twice, `regex` module whitespace collapse and split
pattern with re.IGNORECASE, str.strip, str.lower), minus ftfy.fix_text (not installed), plus a
Unicode NFC normalization after the HTML unescape (ftfy's last step, also done by HF tokenizers).

Reads corpus.json, writes pieces.json: [{"text", "cleaned", "pieces"}].
Needs CPython 3.11 and the `regex` package (here 2026.5.9).
"""
import html
import json
import unicodedata

import regex

PAT = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE)


def clean(text):
    text = html.unescape(html.unescape(text))
    text = unicodedata.normalize("NFC", text)
    text = text.strip()
    text = regex.sub(r"\s+", " ", text)
    text = text.strip()
    return text.lower()


out = []
for text in json.load(open("corpus.json")):
    cleaned = clean(text)
    out.append({"text": text, "cleaned": cleaned, "pieces": PAT.findall(cleaned)})
json.dump(out, open("pieces.json", "w"), ensure_ascii=False)
print(len(out), "entries")
