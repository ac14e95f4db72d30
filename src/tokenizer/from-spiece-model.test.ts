import { join } from 'node:path';
import { fixtureDir } from './fixture-cases.test.js';
import { loadFromSpieceModel } from './from-spiece-model.js';
import { runTokenizerContract } from './tokenizer-contract.test.js';

runTokenizerContract('spiece.model', (fixture, legacy) =>
  loadFromSpieceModel(join(fixtureDir(fixture), 'spiece.model'), { legacy, cleanUpTokenizationSpaces: true, extraIds: 100 }),
);
