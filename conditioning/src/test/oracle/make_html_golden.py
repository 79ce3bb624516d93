"""Golden outputs of CPython's html.unescape (one pass) for HtmlUnescapeTest.

Writes html-golden.jsonl: {"in": ..., "out": ...}. CPython 3.11 stdlib only.
"""
import html
import json
import random
from html.entities import html5

cases = []
for name in sorted(html5):
    cases.append("&" + name)
    if not name.endswith(";"):
        cases.append("&" + name + "x;")
for cp in list(range(0, 0x40)) + list(range(0x7E, 0xA2)) + [0xD7FF, 0xD800, 0xDBFF, 0xDFFF, 0xE000, 0xFDCF, 0xFDD0,
                                                           0xFDEF, 0xFDF0, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x1FFFE,
                                                           0x1F600, 0x10FFFD, 0x10FFFE, 0x10FFFF, 0x110000]:
    cases += ["&#%d;" % cp, "&#x%x;" % cp, "&#X%X" % cp, "a&#%db" % cp]
cases += [
    "&", "&&", "&;", "&#", "&#;", "&#x", "&#x;", "&#xg;", "&#a;", "&# 1;", "&#0x41;", "&#0041;", "&#x0041;",
    "&#99999999999999999999999;", "&#x" + "f" * 30 + ";", "&" + "a" * 31 + ";", "&" + "a" * 32 + ";",
    "&" + "a" * 33 + ";", "&" + "b" * 40, "&amp;amp;", "&ampamp;", "&amp&amp", "&lt&gt", "&notin;", "&notit;",
    "&noti", "&not", "&no", "&n", "&copy2024", "&copyright;", "&amp-x", "&am", "&AMP", "&AmP;", "&Amp;",
    "&nbsp&nbsp;", "&\t;", "&\n", "&\r;", "&é;", "&eacute", "&eacutex", "&\U0001F600;", "&a\U0001F600;",
    "&lt;&lt;&lt;", "x&y&z", "AT&T", "fish & chips", "&#65&#66", "&#x41&#x42", "&#65;;", "&&#65;", "&#&#65;",
    "&lt;|endoftext|&gt;", "&amp;lt;", "& amp;", "&#128512;", "&#xd83d;&#xde00;", "&#13;&#10;",
]
rng = random.Random(7)
alphabet = ["&", "#", ";", "x", "X", "a", "m", "p", "l", "t", "0", "1", "9", "f", " ", "é", "n", "o", "c"]
for _ in range(400):
    cases.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))))
seen = set()
with open("html-golden.jsonl", "w") as f:
    for c in cases:
        if c in seen:
            continue
        seen.add(c)
        f.write(json.dumps({"in": c, "out": html.unescape(c)}) + "\n")
print(len(seen), "cases")
