import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeUtf8Ignoring } from './utf8-ignore.js';

describe("UTF-8 decoding with errors='ignore'", () => {
  it('keeps well-formed text, astral characters included', () => {
    const text = 'Größe 日本 🎉 \u0000 \ufffd';
    assert.equal(decodeUtf8Ignoring(new TextEncoder().encode(text)), text);
  });

  it('drops each maximal ill-formed subpart and resumes at the byte that broke it', () => {
    // Python 3: b'a\xe6\x97b\xc3\x28\xf0\x9f\x8e\xff\xed\xa0\x80c\xc0\xafd'.decode('utf-8', 'ignore') == 'ab(cd'
    const bytes = Uint8Array.of(0x61, 0xe6, 0x97, 0x62, 0xc3, 0x28, 0xf0, 0x9f, 0x8e, 0xff, 0xed, 0xa0, 0x80, 0x63, 0xc0, 0xaf, 0x64);
    assert.equal(decodeUtf8Ignoring(bytes), 'ab(cd');
    assert.equal(decodeUtf8Ignoring(Uint8Array.of(0xf4, 0x90, 0x80, 0x80, 0x41, 0xe0, 0x80, 0x80)), 'A');
  });
});
