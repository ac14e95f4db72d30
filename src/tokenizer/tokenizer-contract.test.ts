// The HF parity suite every way of building the T5 tokenizer must pass (spiece.model, tokenizer.json).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TINY_FIXTURES, tokenizationCases } from './fixture-cases.test.js';
import type { T5Tokenizer } from './t5-tokenizer.js';

/** Builds the tokenizer of a tiny fixture model with the given `legacy` setting. */
export type LoadFixtureTokenizer = (fixture: string, legacy: boolean) => Promise<T5Tokenizer>;

/** Runs the parity suite over `fixtures` (default: both tiny T5 fixtures); `label` names the loading path. */
export function runTokenizerContract(label: string, load: LoadFixtureTokenizer, fixtures: readonly string[] = TINY_FIXTURES): void {
  for (const name of fixtures) {
    describe(`${label} of ${name} matches HF T5Tokenizer`, async () => {
      const cases = tokenizationCases(name);
      const legacy = await load(name, true);
      const modern = await load(name, false);

      it('has 2000 pieces + 100 extra ids and T5 special ids', () => {
        assert.deepEqual([legacy.vocabSize, legacy.padTokenId, legacy.eosTokenId, legacy.unkTokenId], [2100, 0, 1, 2]);
        assert.deepEqual(legacy.convertIdsToTokens([2099, 2000]), ['<extra_id_0>', '<extra_id_99>']);
      });
      it('encodes every case (legacy true)', () => {
        for (const c of cases) assert.deepEqual(legacy.encode(c.text), c.input_ids, JSON.stringify(c.text));
      });
      it('encodes every case in slices as it does at once (encodeAsync)', async () => {
        for (const c of cases) assert.deepEqual(await legacy.encodeAsync(c.text, { sliceMs: 0 }), c.input_ids, JSON.stringify(c.text));
        for (const c of cases) assert.deepEqual(await modern.encodeAsync(c.text), c.input_ids_legacy_false, JSON.stringify(c.text));
      });
      it('encodes every case (legacy false)', () => {
        for (const c of cases) assert.deepEqual(modern.encode(c.text), c.input_ids_legacy_false, JSON.stringify(c.text));
      });
      it('turns ids into HF tokens', () => {
        for (const c of cases) assert.deepEqual(legacy.convertIdsToTokens(c.input_ids), c.tokens, JSON.stringify(c.text));
      });
      it('decodes every case, with and without special tokens', () => {
        for (const c of cases) {
          assert.equal(legacy.decode(c.input_ids), c.decoded, JSON.stringify(c.text));
          assert.equal(legacy.decode(c.input_ids, { skipSpecialTokens: true }), c.decoded_skip_special, JSON.stringify(c.text));
        }
      });
      it('does not append a second </s> to text ending in one (HF _add_eos_if_not_present)', () => {
        const c = cases.find((item) => item.text.length > 0 && !item.text.includes('<'));
        assert.ok(c !== undefined);
        assert.deepEqual(legacy.encode(`${c.text}</s>`), c.input_ids);
      });
      it('marks exactly pad, eos, unk and the extra ids special', () => {
        const special = Array.from({ length: legacy.vocabSize + 4 }, (_, id) => id).filter((id) => legacy.isSpecial(id));
        assert.deepEqual(special, [0, 1, 2, ...Array.from({ length: 100 }, (_, index) => 2000 + index)]);
      });
    });
  }
}
