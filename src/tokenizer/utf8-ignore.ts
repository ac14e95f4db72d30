// Python's `bytes.decode('utf-8', errors='ignore')`: every ill-formed stretch is dropped. Python reports errors
// per "maximal subpart" (Unicode 15, section 3.9, U+FFFD substitution of maximal subparts), the same rule as
// WHATWG's decoder, so a truncated sequence loses only its own bytes and decoding resumes at the byte that broke it.
// https://docs.python.org/3/library/codecs.html#error-handlers, https://www.unicode.org/versions/Unicode15.0.0/ch03.pdf

/** Allowed range of the second byte after lead byte `lead` (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function secondByteRange(lead: number): readonly [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The text of `bytes` as UTF-8, ill-formed parts left out. */
export function decodeUtf8Ignoring(bytes: Uint8Array): string {
  const codePoints: number[] = [];
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] ?? 0;
    const length = sequenceLength(lead);
    if (length === 0) {
      index += 1;
      continue;
    }
    let codePoint = length === 1 ? lead : lead & (0xff >> (length + 1));
    let next = index + 1;
    for (; next < index + length; next++) {
      const byte = bytes[next];
      const [low, high] = next === index + 1 ? secondByteRange(lead) : [0x80, 0xbf];
      if (byte === undefined || byte < low || byte > high) break;
      codePoint = (codePoint << 6) | (byte & 0x3f);
    }
    if (next === index + length) codePoints.push(codePoint);
    index = next;
  }
  let text = '';
  for (let start = 0; start < codePoints.length; start += 4096) text += String.fromCodePoint(...codePoints.slice(start, start + 4096));
  return text;
}
