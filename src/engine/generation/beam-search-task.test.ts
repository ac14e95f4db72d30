import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BeamSearchTask } from './beam-search-task.js';
import { HF_GENERATION_DEFAULTS } from './__fixtures__/hf-defaults.js';

const ids = { decoderStartTokenId: 0, eosTokenId: 1 };

test('beams reorder rows, early stopping ends once numBeams hypotheses finished', () => {
  const params = { ...HF_GENERATION_DEFAULTS, numBeams: 2, maxNewTokens: 5, earlyStopping: true, numReturnSequences: 2 };
  const search = new BeamSearchTask({ params, ids });
  assert.equal(search.rowCount, 2);
  // step 1: only beam 0 counts (the others start at -1e9); token 3 best, then 2
  const first = search.advance(new Float32Array([0, -9, 2, 3, 0, -9, 2, 3]), 0, 4);
  assert.deepEqual(first, { finished: false, sourceRows: [0, 0], nextTokens: [3, 2] });
  // step 2: both beams prefer </s>: two hypotheses finish, the search is done
  const second = search.advance(new Float32Array([0, 9, 0, 0, 0, 9, 0, 0]), 0, 4);
  assert.equal(second.finished, true);
  const result = search.result();
  assert.deepEqual(
    result.map((sequence) => sequence.tokenIds),
    [
      [3, 1],
      [2, 1],
    ],
  );
  assert.ok((result[0].score ?? 0) > (result[1].score ?? 0));
  assert.deepEqual(
    result.map((sequence) => sequence.finishReason),
    ['eos', 'eos'],
  );
});

test('beam sampling runs numReturnSequences independent searches of numBeams rows', () => {
  const params = { ...HF_GENERATION_DEFAULTS, numBeams: 2, doSample: true, numReturnSequences: 3, maxNewTokens: 1, seed: 1 };
  const search = new BeamSearchTask({ params, ids });
  assert.equal(search.rowCount, 6);
  assert.equal(search.advance(new Float32Array(6 * 4), 0, 4).finished, true);
  assert.equal(search.result().length, 3);
});
