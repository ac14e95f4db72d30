import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixtureDir, tokenizationCases } from '../fixture-cases.test.js';
import { loadWasmProcessor } from './wasm-processor.js';

describe('SentencePiece WebAssembly processor', () => {
  it('encodes plain text as HF did (its ids without the appended </s>)', async () => {
    const file = join(fixtureDir('t5-tiny-gated'), 'spiece.model');
    const processor = await loadWasmProcessor(readFileSync(file), file);
    for (const c of tokenizationCases('t5-tiny-gated')) {
      if (/<[a-z/_0-9]+>/u.test(c.text)) continue; // special tokens are T5Tokenizer's business, not SentencePiece's
      assert.deepEqual(processor.encodeIds(c.text), c.input_ids.slice(0, -1), JSON.stringify(c.text));
    }
  });
});
