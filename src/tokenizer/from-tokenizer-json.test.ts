import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixtureDir, TINY_FIXTURES, tokenizationCases } from './fixture-cases.test.js';
import { runTokenizerContract } from './tokenizer-contract.test.js';
import { loadFromSpieceModel } from './from-spiece-model.js';
import { loadFromTokenizerJson } from './from-tokenizer-json.js';
import { parseSpieceModel } from './sentencepiece/spiece-model.js';
import { extraIdTokens } from './t5-special-tokens.js';

/** Writes the tokenizer.json HF's slow-to-fast converter would make from a spiece.model (the tiny fixtures have none). */
function convertToTokenizerJson(spieceFile: string): string {
  const model = parseSpieceModel(readFileSync(spieceFile), spieceFile);
  const extras = extraIdTokens(100);
  const vocab = [...model.pieces.map((piece, id) => [piece, model.scores[id]]), ...extras.map((token) => [token, 0])];
  const special = (content: string, id: number): object => ({
    id,
    content,
    special: true,
    lstrip: false,
    rstrip: false,
    normalized: false,
  });
  const json = {
    version: '1.0',
    added_tokens: [
      special('<pad>', 0),
      special('</s>', 1),
      special('<unk>', 2),
      ...extras.map((token, index) => special(token, model.pieces.length + index)),
    ],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Precompiled', precompiled_charsmap: Buffer.from(model.normalizer.precompiledCharsmap).toString('base64') },
        { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      ],
    },
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', add_prefix_space: true },
    model: { type: 'Unigram', unk_id: model.unkId, vocab },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'llm-deploy-tokenizer-json-')), 'tokenizer.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

const config = { cleanUpTokenizationSpaces: true, extraIds: 100 };

runTokenizerContract('tokenizer.json (our unigram encoder)', (fixture, legacy) =>
  loadFromTokenizerJson(convertToTokenizerJson(join(fixtureDir(fixture), 'spiece.model')), { ...config, legacy }),
);

describe('t5-vocab-32k: tokenizer.json and spiece.model give the same results', async () => {
  const dir = fixtureDir('t5-vocab-32k');
  const texts = TINY_FIXTURES.flatMap((name) => tokenizationCases(name).map((c) => c.text));
  texts.push(texts.join(' '), texts.join('\n'), '<extra_id_5>  <pad>x</s>', ' <extra_id_0>', '<extra_id_100> <extra_id_99>', 'a\ud800b');
  for (const legacy of [true, false]) {
    it(`encodes and decodes every fixture string alike (legacy ${legacy})`, async () => {
      const fromJson = await loadFromTokenizerJson(join(dir, 'tokenizer.json'), { ...config, legacy });
      const fromSpiece = await loadFromSpieceModel(join(dir, 'spiece.model'), { ...config, legacy });
      assert.equal(fromJson.vocabSize, 32100);
      assert.equal(fromSpiece.vocabSize, 32100);
      for (const text of texts) {
        const ids = fromSpiece.encode(text);
        assert.deepEqual(fromJson.encode(text), ids, JSON.stringify(text));
        assert.equal(fromJson.decode(ids), fromSpiece.decode(ids), JSON.stringify(text));
        assert.equal(fromJson.decode(ids, { skipSpecialTokens: true }), fromSpiece.decode(ids, { skipSpecialTokens: true }));
      }
    });
  }
});
