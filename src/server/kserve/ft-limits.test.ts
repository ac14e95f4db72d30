import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../../config/index.js';
import { FT_T5_DEFAULTS, type FtT5Row } from '../../protocol/index.js';
import { checkFtRows } from './ft-limits.js';

const limits = { maxBatch: 2, maxInputTokens: 4, startId: 0, endId: 1 };
// a row as a request with only input_ids and max_output_len parses: FasterTransformer's defaults for the rest
const row: FtT5Row = { ...FT_T5_DEFAULTS, inputIds: [5, 6, 1], maxNewTokens: 8 };

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
