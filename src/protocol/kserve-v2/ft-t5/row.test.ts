import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertLlmDeployError } from '../../__fixtures__/assert-error.js';
import { ftRowFromSettings, ftRowToGenerationOptions } from './row.js';

const base = { maxNewTokens: 20, numBeams: 1, doSample: false, temperature: 1, topK: 50, topP: 1, repetitionPenalty: 1, lengthPenalty: 1 };

test('greedy, beam search and sampling map to FT and back', () => {
  const greedy = ftRowFromSettings([5, 1], base);
  assert.deepEqual([greedy.topK, greedy.topP, greedy.beamWidth], [1, 0, 1]);
  assert.deepEqual(ftRowToGenerationOptions(greedy), {
    maxNewTokens: 20,
    numBeams: 1,
    numReturnSequences: 1,
    doSample: false,
    temperature: 1,
    repetitionPenalty: 1,
    lengthPenalty: 0,
  });
  const beam = ftRowFromSettings([5, 1], { ...base, numBeams: 4 });
  assert.deepEqual([beam.topK, beam.topP, beam.beamWidth], [1, 0, 4]);
  assert.equal(ftRowToGenerationOptions(beam).numBeams, 4);
  const sampling = ftRowFromSettings([5, 1], { ...base, doSample: true, topK: 40, topP: 0.95, seed: 7 });
  assert.deepEqual([sampling.topK, sampling.topP, sampling.seed], [40, 0.95, 7n]);
  const back = ftRowToGenerationOptions(sampling);
  assert.deepEqual([back.doSample, back.topK, back.topP, back.seed], [true, 40, 0.95, 7]);
  const nucleus = ftRowToGenerationOptions({ ...sampling, topK: 0, topP: 0.5 });
  assert.deepEqual([nucleus.doSample, nucleus.topK, nucleus.topP], [true, 0, 0.5]);
});

test('a diversity rate FT would honour is refused, not dropped', () => {
  const row = { ...ftRowFromSettings([5, 1], { ...base, numBeams: 2 }), beamSearchDiversityRate: 0.5 };
  assertLlmDeployError(() => ftRowToGenerationOptions(row), {
    status: 400,
    code: 'PROTOCOL_UNSUPPORTED',
    parts: ['beam_search_diversity_rate', '0.5'],
  });
});
