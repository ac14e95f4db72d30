import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureDir, TINY_FIXTURES, tokenizationCases } from './fixture-cases.test.js';
import { loadFromSpieceModel } from './from-spiece-model.js';

const config = { cleanUpTokenizationSpaces: true, extraIds: 100 };

for (const name of TINY_FIXTURES) {
  describe(`spiece.model of ${name} matches HF T5Tokenizer`, async () => {
    const cases = tokenizationCases(name);
    const legacy = await loadFromSpieceModel(`${fixtureDir(name)}/spiece.model`, { ...config, legacy: true });
    const modern = await loadFromSpieceModel(`${fixtureDir(name)}/spiece.model`, { ...config, legacy: false });

    it('has 2000 pieces + 100 extra ids and T5 special ids', () => {
      assert.equal(legacy.vocabSize, 2100);
      assert.deepEqual([legacy.padTokenId, legacy.eosTokenId, legacy.unkTokenId], [0, 1, 2]);
      assert.equal(legacy.convertIdsToTokens([2099])[0], '<extra_id_0>');
    });
    it('encodes every case (legacy true)', () => {
      for (const c of cases) assert.deepEqual(legacy.encode(c.text), c.input_ids, JSON.stringify(c.text));
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
    it('marks exactly pad, eos, unk and the extra ids special', () => {
      const special = Array.from({ length: legacy.vocabSize }, (_, id) => id).filter((id) => legacy.isSpecial(id));
      assert.deepEqual(special, [0, 1, 2, ...Array.from({ length: 100 }, (_, index) => 2000 + index)]);
    });
  });
}
