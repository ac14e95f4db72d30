import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BeamSearchTask } from './beam-search-task.js';
import { createDecodeTask } from './decode-task.js';
import { HF_GENERATION_DEFAULTS } from './__fixtures__/hf-defaults.js';
import { rowsFor } from './params.js';
import { SequenceTask } from './sequence-task.js';

test('createDecodeTask picks the search from the params and starts with rowsFor rows', () => {
  const ids = { decoderStartTokenId: 0, eosTokenId: 1 };
  for (const params of [
    HF_GENERATION_DEFAULTS,
    { ...HF_GENERATION_DEFAULTS, doSample: true, numReturnSequences: 3 },
    { ...HF_GENERATION_DEFAULTS, numBeams: 4, numReturnSequences: 2 },
    { ...HF_GENERATION_DEFAULTS, numBeams: 2, doSample: true, numReturnSequences: 2 },
  ]) {
    const task = createDecodeTask({ params, ids });
    assert.ok(params.numBeams > 1 ? task instanceof BeamSearchTask : task instanceof SequenceTask);
    assert.equal(task.rowCount, rowsFor(params));
  }
});
