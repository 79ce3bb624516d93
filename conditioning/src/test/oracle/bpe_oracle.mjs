// Golden ids for the CLIP tokenizer from an independent BPE implementation:
// @huggingface/tokenizers 0.2.0 (npm; tokenizers.js), configured as transformers'
// CLIPConverter builds the fast CLIP tokenizer (NFC, \s+ -> " ", Lowercase; Split on the CLIP
// pattern; ByteLevel; BPE with end_of_word_suffix "</w>"), over the vocabulary/merges built from
// OpenAI's bpe_simple_vocab_16e6.txt.gz as facts.md §5 describes.
// Input pieces.json (clean_split.py), output clip-golden.jsonl.
import fs from "node:fs";
import zlib from "node:zlib";
import { Tokenizer } from "@huggingface/tokenizers";

const gz = process.argv[2];
const lines = zlib.gunzipSync(fs.readFileSync(gz)).toString("utf8").split("\n");
const merges = lines.slice(1, 49152 - 256 - 2 + 1).map((l) => l.split(" "));

// bytes_to_unicode
const bs = [];
for (let b = 33; b <= 126; b++) bs.push(b);
for (let b = 161; b <= 172; b++) bs.push(b);
for (let b = 174; b <= 255; b++) bs.push(b);
const cs = bs.slice();
let n = 0;
for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); n++; }
const byteChars = cs.map((c) => String.fromCodePoint(c));
let vocabList = byteChars.slice();
vocabList = vocabList.concat(byteChars.map((c) => c + "</w>"));
for (const [a, b] of merges) vocabList.push(a + b);
vocabList.push("<|startoftext|>", "<|endoftext|>");
const vocab = {};
vocabList.forEach((t, i) => { vocab[t] = i; });
if (vocabList.length !== 49408) throw new Error("vocab size " + vocabList.length);

const tokenizerJson = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [
    { id: 49406, content: "<|startoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true },
    { id: 49407, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
  ],
  normalizer: {
    type: "Sequence",
    normalizers: [{ type: "NFC" }, { type: "Replace", pattern: { Regex: "\\s+" }, content: " " }, { type: "Lowercase" }],
  },
  pre_tokenizer: {
    type: "Sequence",
    pretokenizers: [
      { type: "Split", pattern: { Regex: "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" }, behavior: "Removed", invert: true },
      { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  },
  post_processor: { type: "RobertaProcessing", sep: ["<|endoftext|>", 49407], cls: ["<|startoftext|>", 49406], trim_offsets: false, add_prefix_space: false },
  decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: "BPE", dropout: null, unk_token: "<|endoftext|>", continuing_subword_prefix: "", end_of_word_suffix: "</w>",
    fuse_unk: false, byte_fallback: false, vocab, merges: merges.map(([a, b]) => a + " " + b),
  },
};
const tokenizerConfig = {
  bos_token: "<|startoftext|>", eos_token: "<|endoftext|>", unk_token: "<|endoftext|>", pad_token: "<|endoftext|>",
  model_max_length: 77, do_lower_case: true, clean_up_tokenization_spaces: false,
};
const tok = new Tokenizer(tokenizerJson, tokenizerConfig);
const encodeIds = (s) => tok.encode(s, { add_special_tokens: false }).ids;
// BPE of one reference piece, without the oracle's own split: its ByteLevel pre-tokenizer
// (bytes -> unicode) and its BPE model, then vocabulary ids.
const byteLevel = tok.pre_tokenizer.tokenizers[1];
const encodePiece = (p) => tok.model.encode(byteLevel.pre_tokenize_text(p)).map((t) => {
  const id = tok.token_to_id(t);
  if (id === undefined) throw new Error("token not in vocab: " + t);
  return id;
});

const entries = JSON.parse(fs.readFileSync("pieces.json", "utf8"));
const out = [];
let disagreements = 0;
for (const e of entries) {
  const ids = [];
  for (const p of e.pieces) {
    if (p === "<|startoftext|>") ids.push(49406);
    else if (p === "<|endoftext|>") ids.push(49407);
    else {
      const pid = encodePiece(p);
      if (pid.length === 0) throw new Error("piece without ids: " + JSON.stringify(p));
      ids.push(...pid);
    }
  }
  const whole = encodeIds(e.cleaned);
  const same = whole.length === ids.length && whole.every((v, i) => v === ids[i]);
  const rec = { text: e.text, ids };
  if (!same) { rec.oracleWholeText = whole; disagreements++; }
  out.push(JSON.stringify(rec));
}
fs.writeFileSync("clip-golden.jsonl", out.join("\n") + "\n");
console.log(out.length, "entries;", disagreements, "where the oracle's own split of the cleaned text differs");
