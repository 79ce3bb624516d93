// Reads the A1111 `parameters` text chunk of a PNG (tEXt, Latin-1, or uncompressed iTXt, UTF-8), as
// ldm4j's PngCodec writes it. No zlib in the browser without a stream: a compressed iTXt is reported as such.

/** The `parameters` text of the PNG `bytes` (a Uint8Array), or null when it has none. */
export function pngParameters(bytes) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || sig.some((b, i) => bytes[i] !== b)) {
    return null;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IEND') {
      break;
    }
    if (type === 'tEXt' || type === 'iTXt') {
      const nul = data.indexOf(0);
      const keyword = new TextDecoder('latin1').decode(data.subarray(0, nul));
      if (keyword === 'parameters') {
        if (type === 'tEXt') {
          return new TextDecoder('latin1').decode(data.subarray(nul + 1));
        }
        const compressed = data[nul + 1];
        let p = nul + 3; // compression flag and method
        p = data.indexOf(0, p) + 1; // language tag
        p = data.indexOf(0, p) + 1; // translated keyword
        return compressed ? '(compressed text chunk)' : new TextDecoder('utf-8').decode(data.subarray(p));
      }
    }
    at += 12 + length;
  }
  return null;
}

/** Base64 → bytes. */
export function base64Bytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out;
}
