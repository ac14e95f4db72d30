import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fixtureDir, TINY_FIXTURES, tokenizationCases } from '../fixture-cases.test.js';
import { parseSpieceModel, withoutDummyPrefix } from './spiece-model.js';
import { UnigramEncoder } from './unigram-encoder.js';
import { loadWasmProcessor } from './wasm-processor.js';

// Characters worth mixing: everything in the fixture strings, plus spaces, NFKC-affected and unknown ones.
const fixtureTexts = TINY_FIXTURES.flatMap((name) => tokenizationCases(name).map((c) => c.text));
const alphabet = [...new Set([...fixtureTexts.join(''), ' ', ' ', '\t', '\u00a0', '\u3000', 'ﬃ', '①', '\u2581', 'e\u0301'])];
const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 40 }).map((chars) => chars.join(''));

for (const name of ['t5-tiny-relu', 't5-vocab-32k']) {
  describe(`our unigram encoder agrees with SentencePiece (WebAssembly) on ${name}`, async () => {
    const file = join(fixtureDir(name), 'spiece.model');
    const bytes = readFileSync(file);
    const model = parseSpieceModel(bytes, file);
    const reference = await loadWasmProcessor(bytes, file);
    const noPrefixReference = await loadWasmProcessor(withoutDummyPrefix(bytes), file);
    const ours = new UnigramEncoder(model, file);
    const noPrefix = new UnigramEncoder({ ...model, normalizer: { ...model.normalizer, addDummyPrefix: false } }, file);

    it('on every fixture string', () => {
      for (const input of fixtureTexts) assert.deepEqual(ours.encodeIds(input), reference.encodeIds(input), JSON.stringify(input));
    });
    it('on random mixes of their characters, with and without the dummy prefix', () => {
      fc.assert(
        fc.property(text, (input) => {
          assert.deepEqual(ours.encodeIds(input), reference.encodeIds(input));
          assert.deepEqual(noPrefix.encodeIds(input), noPrefixReference.encodeIds(input));
        }),
        { numRuns: 300, seed: 20231213 },
      );
    });
    it('on long random texts, where path scores grow large and float32 rounding decides ties', () => {
      const long = fc.array(fc.constantFrom(...alphabet, 'Å', '☃'), { minLength: 500, maxLength: 4000 }).map((chars) => chars.join(''));
      fc.assert(
        fc.property(long, (input) => {
          assert.deepEqual(ours.encodeIds(input), reference.encodeIds(input));
          assert.deepEqual(noPrefix.encodeIds(input), noPrefixReference.encodeIds(input));
        }),
        { numRuns: 60, seed: 20261202 },
      );
    });
  });
}
