// mT5, umT5 and UL2 checkpoints ship T5Tokenizer's spiece.model: the same loading path, id-exact with their
// own HF-made tokenization cases (test/fixtures/seq2seq/<model>/expected.json).
import { join } from 'node:path';
import { fixtureDir } from './fixture-cases.test.js';
import { loadFromSpieceModel } from './from-spiece-model.js';
import { runTokenizerContract } from './tokenizer-contract.test.js';
import { readTokenizerConfig } from './tokenizer-config.js';

runTokenizerContract(
  'spiece.model and tokenizer_config.json',
  async (fixture, legacy) => {
    const config = await readTokenizerConfig(fixtureDir(fixture));
    return loadFromSpieceModel(join(fixtureDir(fixture), 'spiece.model'), { ...config, legacy });
  },
  ['seq2seq/mt5-tiny', 'seq2seq/umt5-tiny', 'seq2seq/ul2-tiny-gated-silu'],
);
