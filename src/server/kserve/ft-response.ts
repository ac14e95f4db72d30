/**
 * The FasterTransformer T5 output contract, server side: generation results into `output_ids`
 * `[batch, beam, L]` and `sequence_length` `[batch, beam]` (UINT32), plus `cum_log_probs`
 * `[batch, beam]` and `output_log_probs` `[batch, beam, L]` (FP32) when log-probs were asked for.
 * Ids exclude the decoder start token and include `</s>`; rows are padded with `end_id`.
 */
import type { GenerateResult } from '../../engine/index.js';
import { createTensor, type KServeV2Tensor } from '../../protocol/index.js';
import type { FtRow } from './ft-request.js';

/** Builds the output tensors for one request (all rows share `beam` = the widest row's beam width). */
export function ftOutputTensors(rows: readonly FtRow[], results: readonly GenerateResult[], endId: number): KServeV2Tensor[] {
  const batch = rows.length;
  const beam = Math.max(1, ...rows.map((row) => row.beamWidth));
  const longest = Math.max(1, ...results.flatMap((result) => result.sequences.map((sequence) => sequence.tokenIds.length)));
  const ids = new Uint32Array(batch * beam * longest).fill(endId);
  const lengths = new Uint32Array(batch * beam);
  const cumLogProbs = new Float32Array(batch * beam);
  const tokenLogProbs = new Float32Array(batch * beam * longest);
  results.forEach((result, row) => {
    for (let b = 0; b < beam; b += 1) {
      const sequence = result.sequences[b];
      if (sequence === undefined) continue;
      const offset = (row * beam + b) * longest;
      ids.set(sequence.tokenIds, offset);
      lengths[row * beam + b] = sequence.tokenIds.length;
      cumLogProbs[row * beam + b] = sequence.cumLogProb ?? 0;
      if (sequence.tokenLogProbs !== undefined) tokenLogProbs.set(sequence.tokenLogProbs, offset);
    }
  });
  const outputs: KServeV2Tensor[] = [
    createTensor({ name: 'output_ids', datatype: 'UINT32', shape: [batch, beam, longest] }, ids),
    createTensor({ name: 'sequence_length', datatype: 'UINT32', shape: [batch, beam] }, lengths),
  ];
  if (rows.some((row) => row.returnLogProbs)) {
    outputs.push(
      createTensor({ name: 'cum_log_probs', datatype: 'FP32', shape: [batch, beam] }, cumLogProbs),
      createTensor({ name: 'output_log_probs', datatype: 'FP32', shape: [batch, beam, longest] }, tokenLogProbs),
    );
  }
  return outputs;
}
