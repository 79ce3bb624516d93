"""Builds the tokenizer golden corpus: hand-picked cases plus seeded random strings.

Writes corpus.json (a list of strings). Run with any CPython 3.11 (stdlib only).
"""
import json
import random

hand = [
    # facts.md §5 and plain prompts
    "a photo of a cat", "A red circle", "red", "green", "blue", "yellow", "circle", "square",
    "triangle", "cross", "",
    "a photograph of an astronaut riding a horse",
    "masterpiece, best quality, ultra-detailed, 8k, highres, 1girl, solo, looking at viewer",
    "portrait of a beautiful woman, oil painting by greg rutkowski and alphonse mucha, trending on artstation",
    "A cozy cabin in the woods, snow falling, warm light from the windows, cinematic lighting, 35mm",
    "cyberpunk city at night, neon signs, rain, reflections, volumetric fog, octane render, 4k",
    "low quality, blurry, deformed hands, extra fingers, watermark, text, signature",
    # punctuation
    "hello, world!", "hello,world", "what?!?", "wait... what", "a-b_c/d\\e|f", "(parentheses) [brackets] {braces}",
    "<angle> brackets", "quote \"double\" and 'single'", "semi;colon:colon", "at@sign #hash $dollar %percent ^caret &amp",
    "*star* +plus =equals ~tilde `backtick`", "!!!", "...", "--", "---", ",,,,", "a,b.c;d:e", "end.",
    "100%", "$5.99", "e-mail", "state-of-the-art", "re-enter", "don't-stop", "C++ and C#",
    # digits
    "0", "7", "42", "2024", "3.14159", "1,000,000", "1st 2nd 3rd 4th", "v1.5", "512x512", "8k uhd",
    "phone 555-1234", "ⅷ roman", "٣ arabic-indic digit", "１２３ fullwidth digits", "²³ superscripts", "½ vulgar fraction",
    # contractions
    "it's", "don't", "you're", "we've", "I'm", "they'll", "she'd", "IT'S", "DON'T", "YOU'RE", "y'all",
    "rock'n'roll", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "''", "'x", "the dog's ball", "o'clock",
    "it\u2019s curly", "don\u2019t curly", "'sss", "'dd", "'ll'll", "a'b'c",
    # accents and case
    "café", "cafe\u0301", "naïve", "NAÏVE", "résumé", "RÉSUMÉ", "Ångström", "A\u030angstro\u0308m", "straße", "STRASSE",
    "İstanbul", "ǅemal", "ﬁne ligature", "Ǆ", "Ĳssel", "élan vital", "crème brûlée", "São Paulo", "Zürich", "Kraków",
    "Ελληνικά", "ΟΔΟΣ", "σοφός", "ΣΟΦΟΣ", "Москва", "ПРИВЕТ мир", "Україна", "Tiếng Việt", "Türkçe ığdır",
    # scripts
    "日本語のテキスト", "東京タワー", "カタカナ", "ひらがな", "中文字符", "一只猫坐在垫子上", "漢字", "한국어 텍스트",
    "안녕하세요", "عربي", "مرحبا بالعالم", "עברית", "שלום עולם", "हिन्दी", "नमस्ते दुनिया", "ภาษาไทย", "ქართული", "Հայերեն",
    "ᚠᚢᚦ runes", "𝐁𝐨𝐥𝐝 math", "𝔉𝔯𝔞𝔨𝔱𝔲𝔯", "ｆｕｌｌｗｉｄｔｈ", "cat 猫 neko ねこ",
    # emoji and symbols
    "🙂", "😀😃😄", "cat 🐱 dog 🐶", "👍🏽", "👨‍👩‍👧‍👦", "🇯🇵🇺🇸", "❤️", "☕ coffee", "★☆", "→ ← ↑ ↓", "∑ ∫ √ ∞",
    "©®™", "€ £ ¥ ₹", "♪♫", "✓✗", "°C", "±", "§ ¶", "•", "…", "—", "–", "“quoted”", "‘single’", "«guillemets»", "¿qué?", "¡hola!",
    "⚡️", "🔥🔥🔥", "(╯°□°）╯︵ ┻━┻", ":-) ;-) :D", "<3", "^_^", "¯\\_(ツ)_/¯",
    # HTML entities (unescaped twice)
    "&amp;", "&amp;amp;", "&amp;amp;amp;", "&lt;tag&gt;", "&quot;quoted&quot;", "&#39;apostrophe&#39;", "&apos;",
    "&#x27;hex&#x27;", "&#X41;", "&#65;&#66;&#67;", "&nbsp;", "a&nbsp;b", "a&nbsp;&nbsp;&nbsp;b", "&copy; 2024", "&reg;",
    "&eacute;t&eacute;", "&hellip;", "&mdash;", "&ndash;", "&rarr;", "&hearts;", "&euro;5", "&pound;", "&yen;",
    "&amp", "&lt", "&copy", "&notit;", "&notin;", "&ampx", "&amp;lt;b&amp;gt;", "&#128;", "&#x80;", "&#150;", "&#0;",
    "&#x110000;", "&#xD800;", "&#99999999999;", "&unknown;", "& not an entity", "AT&T", "fish & chips", "&#;", "&#x;",
    "&;", "&&", "&#65", "&#x41", "&NotEqualTilde;", "&fjlig;", "&AMP;", "&QUOT;", "&Auml;", "&auml", "&Aumlx",
    "&lt;|endoftext|&gt;", "&#60;|startoftext|&#62;", "&#x1F600;", "&#128512;", "&#13;", "&#x9;tab", "&#10;newline",
    # whitespace runs
    "  leading spaces", "trailing spaces   ", "multiple    inner     spaces", "tab\tseparated\tvalues",
    "new\nline", "crlf\r\nline", "mixed \t\n\r whitespace", "\t\n  only edges  \n\t", "   ", "\t", "\n",
    "no\u00a0break", "ideographic\u3000space", "em\u2003space", "line\u2028separator", "para\u2029separator",
    "nel\u0085char", "narrow\u202fnbsp", "thin\u2009space", "zero\u200bwidth", "bom\ufeffchar", "ogham\u1680space",
    "vertical\u000btab", "form\u000cfeed",
    # upper case
    "HELLO WORLD", "A PHOTO OF A CAT", "CamelCaseWord", "iPhone", "NASA", "McDonald's", "XML HTTP Request",
    # special-token strings
    "<|startoftext|>", "<|endoftext|>", "<|startoftext|>a photo<|endoftext|>", "a<|endoftext|>b",
    "<|ENDOFTEXT|>", "<|StartOfText|>", "!!<|endoftext|>", "<|endoftext|><|endoftext|>", "<|endoftext", "|endoftext|>",
    "< |endoftext| >", "<|pad|>", "<|startoftext|><|startoftext|>",
    # long words and odd tokens
    "supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis", "aaaaaaaaaaaaaaaaaaaa",
    "abcabcabcabcabcabc", "https://example.com/path?query=1&x=2#frag", "user@example.com", "C:\\Users\\name",
    "#hashtag @mention", "snake_case_identifier", "kebab-case-identifier", "x" * 80, "ab" * 40,
    # control characters
    "bell\u0007char", "null\u0000char", "esc\u001bchar", "del\u007fchar", "\u001cfile separator\u001f",
    # combining marks and case-folding edge cases of the reference pattern
    "a\u0345b", "\u0345", "it'ſ", "'ſ", "a\u0301", "\u0301", "e\u0301\u0301", "ᾳ", "ﬀ",
]

rng = random.Random(20260514)
blocks = [
    (0x0020, 0x007E), (0x00A0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x0590, 0x05FF),
    (0x0600, 0x06FF), (0x0900, 0x097F), (0x0E00, 0x0E7F), (0x2000, 0x206F), (0x2190, 0x21FF),
    (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F),
]
extra = list(" \t\n,.'&;#!?()")
rand = []
for n in range(200):
    k = rng.randint(1, 24)
    chars = []
    for _ in range(k):
        if rng.random() < 0.25:
            chars.append(rng.choice(extra))
        else:
            lo, hi = rng.choice(blocks)
            chars.append(chr(rng.randint(lo, hi)))
    rand.append("".join(chars))
# random ASCII words with entities and specials mixed in
words = ["cat", "dog", "The", "QUICK", "brown", "fox's", "don't", "&amp;", "&lt;", "&#33;", "<|endoftext|>",
         "42", "3.5", "!!", "...", "naïve", "東京", "🐱", "—", "x"]
for n in range(100):
    rand.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))))

corpus = []
seen = set()
for s in hand + rand:
    if s not in seen:
        seen.add(s)
        corpus.append(s)
json.dump(corpus, open("corpus.json", "w"), ensure_ascii=False, indent=0)
print(len(corpus), "corpus entries")
