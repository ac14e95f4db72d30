/**
 * The server's own limits on FasterTransformer T5 rows (the protocol module parses the tensors):
 * batch size, prompt length, the model's special ids, and what we do not do (the new-token cap is
 * applied when the row's options are resolved).
 */
import type { FtT5Row } from '../../protocol/index.js';
import { invalidField } from '../errors.js';

/** What the rows are checked against. */
export interface FtLimits {
  readonly maxBatch: number;
  readonly maxInputTokens: number;
  readonly startId: number;
  readonly endId: number;
}

/** Throws a 400 naming the input when a row breaks a limit. */
export function checkFtRows(rows: readonly FtT5Row[], limits: FtLimits): void {
  if (rows.length > limits.maxBatch) {
    throw invalidField('batch too large', {
      field: "input 'input_ids'",
      given: `${rows.length} rows`,
      expected: `at most ${limits.maxBatch}`,
    });
  }
  rows.forEach((row, index) => {
    if (row.inputIds.length > limits.maxInputTokens) {
      throw invalidField('prompt is too long', {
        field: `input 'sequence_length'[${index}]`,
        given: `${row.inputIds.length} tokens`,
        expected: `at most ${limits.maxInputTokens}`,
      });
    }
    if (row.beamSearchDiversityRate !== 0) {
      throw invalidField('diverse beam search is not supported', {
        field: "input 'beam_search_diversity_rate'",
        given: String(row.beamSearchDiversityRate),
        expected: '0',
      });
    }
    if (row.startId !== undefined && row.startId !== limits.startId) {
      throw invalidField("start_id differs from the model's decoder start token", {
        field: "input 'start_id'",
        given: String(row.startId),
        expected: String(limits.startId),
      });
    }
    if (row.endId !== undefined && row.endId !== limits.endId) {
      throw invalidField("end_id differs from the model's </s>", {
        field: "input 'end_id'",
        given: String(row.endId),
        expected: String(limits.endId),
      });
    }
  });
}
