import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import type { FtT5Row } from '../../protocol/index.js';
import { checkFtRows } from './ft-limits.js';

const limits = { maxBatch: 2, maxInputTokens: 4, startId: 0, endId: 1 };
const row: FtT5Row = {
  inputIds: [5, 6, 1],
  maxNewTokens: 8,
  topK: 1,
  topP: 0,
  beamWidth: 1,
  temperature: 1,
  lengthPenalty: 0,
  repetitionPenalty: 1,
  beamSearchDiversityRate: 0,
  returnLogProbs: false,
};

function rejects(rows: FtT5Row[], field: string): void {
  assert.throws(
    () => checkFtRows(rows, limits),
    (error: unknown) => LlmDeployError.isInstance(error) && error.httpStatus === 400 && error.field === field,
  );
}

describe('checkFtRows', () => {
  it('accepts rows within the limits', () => {
    checkFtRows([row, row], limits);
  });

  it('names the input that breaks a limit', () => {
    rejects([row, row, row], "input 'input_ids'");
    rejects([{ ...row, inputIds: [5, 6, 7, 8, 1] }], "input 'sequence_length'[0]");
    rejects([{ ...row, beamSearchDiversityRate: 0.5 }], "input 'beam_search_diversity_rate'");
    rejects([{ ...row, startId: 3 }], "input 'start_id'");
    rejects([{ ...row, endId: 2 }], "input 'end_id'");
  });
});
