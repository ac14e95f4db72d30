import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { loadTokenizer } from '../tokenizer/index.js';
import { IncrementalDecoder } from './incremental-decoder.js';

const MODEL_DIR = fileURLToPath(new URL('../../test/fixtures/t5-tiny-relu', import.meta.url));
const expected = JSON.parse(readFileSync(`${MODEL_DIR}/expected.json`, 'utf8')) as {
  tokenization: { input_ids: number[]; decoded_skip_special: string }[];
};

describe('IncrementalDecoder', () => {
  it('streams deltas that add up to the full decode for every fixture string', async () => {
    const tokenizer = await loadTokenizer(MODEL_DIR);
    for (const item of expected.tokenization) {
      const decoder = new IncrementalDecoder(tokenizer);
      let streamed = '';
      for (const id of item.input_ids) streamed += decoder.push(id);
      streamed += decoder.flush();
      assert.equal(decoder.fullText(), item.decoded_skip_special);
      assert.equal(streamed, item.decoded_skip_special, JSON.stringify(item.input_ids));
    }
  });

  it('holds back a piece that decodes to a replacement character until it completes', () => {
    // a byte-level tokenizer: ids are UTF-8 bytes, so one character may take several ids
    const bytes = {
      eosTokenId: 1,
      padTokenId: 0,
      encode: (text: string) => [...Buffer.from(text)],
      decode: (ids: readonly number[]) => Buffer.from(ids).toString('utf8'),
      isSpecial: () => false,
    };
    const decoder = new IncrementalDecoder(bytes);
    const pieces = [...Buffer.from('a€b')].map((id) => decoder.push(id));
    assert.deepEqual(pieces, ['a', '', '', '€', 'b']);
  });
});
