/**
 * Server side of the FT T5 contract: generated sequences -> `output_ids` `[batch, beam, L]` and
 * `sequence_length` `[batch, beam]` (UINT32), plus `cum_log_probs` `[batch, beam]` and
 * `output_log_probs` `[batch, beam, L]` (FP32) when log-probs were asked for. L = longest sequence;
 * ids exclude the decoder start token and include `</s>`; shorter rows are padded with `end_id`.
 */
import { createTensor, type KServeV2Tensor } from '../tensor.js';
import { FT_T5_SPECIAL_IDS } from './contract.js';

/** One returned beam. */
export interface FtT5Beam {
  readonly tokenIds: readonly number[];
  readonly cumLogProb?: number;
  /** One per token of `tokenIds`. */
  readonly tokenLogProbs?: readonly number[];
}

/** Options for {@link buildFtT5Outputs}. */
export interface BuildFtT5OutputsOptions {
  /** Add `cum_log_probs` and `output_log_probs` (missing values are 0). */
  readonly returnLogProbs: boolean;
  /** Padding id; default 1 (`</s>`). */
  readonly endId?: number;
  /** Datatype of `output_ids` and `sequence_length`: UINT32 (default) or INT32 as upstream FT declares. */
  readonly idDatatype?: 'UINT32' | 'INT32';
}

/**
 * Builds the outputs for one request: `beams[row]` lists the row's beams best first. Rows with
 * fewer beams than the widest row get empty beams (length 0).
 */
export function buildFtT5Outputs(beams: readonly (readonly FtT5Beam[])[], options: BuildFtT5OutputsOptions): KServeV2Tensor[] {
  const batch = beams.length;
  const beam = Math.max(1, ...beams.map((row) => row.length));
  const longest = Math.max(1, ...beams.flatMap((row) => row.map((sequence) => sequence.tokenIds.length)));
  const ids = new Uint32Array(batch * beam * longest).fill(options.endId ?? FT_T5_SPECIAL_IDS.endId);
  const lengths = new Uint32Array(batch * beam);
  const cumLogProbs = new Float32Array(batch * beam);
  const tokenLogProbs = new Float32Array(batch * beam * longest);
  beams.forEach((row, rowIndex) =>
    row.forEach((sequence, beamIndex) => {
      const slot = rowIndex * beam + beamIndex;
      ids.set(sequence.tokenIds, slot * longest);
      lengths[slot] = sequence.tokenIds.length;
      cumLogProbs[slot] = sequence.cumLogProb ?? 0;
      if (sequence.tokenLogProbs !== undefined) tokenLogProbs.set(sequence.tokenLogProbs.slice(0, longest), slot * longest);
    }),
  );
  const idTensor = (name: string, shape: number[], data: Uint32Array): KServeV2Tensor =>
    options.idDatatype === 'INT32'
      ? createTensor({ name, datatype: 'INT32', shape }, new Int32Array(data.buffer))
      : createTensor({ name, datatype: 'UINT32', shape }, data);
  const outputs = [idTensor('output_ids', [batch, beam, longest], ids), idTensor('sequence_length', [batch, beam], lengths)];
  if (options.returnLogProbs) {
    outputs.push(
      createTensor({ name: 'cum_log_probs', datatype: 'FP32', shape: [batch, beam] }, cumLogProbs),
      createTensor({ name: 'output_log_probs', datatype: 'FP32', shape: [batch, beam, longest] }, tokenLogProbs),
    );
  }
  return outputs;
}
