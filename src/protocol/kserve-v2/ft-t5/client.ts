/**
 * Client side of the FT T5 contract (what our Triton backend sends and reads): rows -> request
 * tensors, and a Triton reply (UINT32 or INT32 ids, JSON or binary) -> per-row beams.
 */
import { randomBytes } from 'node:crypto';
import type { LlmDeployError } from '../../../config/index.js';
import { messageError, PROTOCOL_ERROR_CODES, protocolError } from '../../errors.js';
import { formatShape } from '../datatypes.js';
import type { KServeV2OutgoingInferRequest } from '../encode-infer-request.js';
import { createTensor, type KServeV2Tensor } from '../tensor.js';
import { FT_T5_DEFAULTS, FT_T5_SPECIAL_IDS } from './contract.js';
import type { FtT5Beam } from './outputs.js';
import type { FtT5Row } from './row.js';

/** Options for {@link buildFtT5Request}. */
export interface BuildFtT5RequestOptions {
  /** Right-padding id for `input_ids`; default 0 (T5 pad). */
  readonly padId?: number;
  /** Ask for outputs as binary tensor data (default true). */
  readonly binaryOutputs?: boolean;
  readonly id?: string;
}

type RowNumber = 'topK' | 'topP' | 'beamWidth' | 'temperature' | 'lengthPenalty' | 'repetitionPenalty' | 'beamSearchDiversityRate';

const OPTIONAL_INPUTS: readonly { field: RowNumber; name: string; datatype: 'UINT32' | 'FP32'; fallback: number }[] = [
  { field: 'topK', name: 'runtime_top_k', datatype: 'UINT32', fallback: FT_T5_DEFAULTS.topK },
  { field: 'topP', name: 'runtime_top_p', datatype: 'FP32', fallback: FT_T5_DEFAULTS.topP },
  { field: 'beamWidth', name: 'beam_width', datatype: 'UINT32', fallback: FT_T5_DEFAULTS.beamWidth },
  { field: 'temperature', name: 'temperature', datatype: 'FP32', fallback: FT_T5_DEFAULTS.temperature },
  { field: 'lengthPenalty', name: 'len_penalty', datatype: 'FP32', fallback: FT_T5_DEFAULTS.lengthPenalty },
  { field: 'repetitionPenalty', name: 'repetition_penalty', datatype: 'FP32', fallback: FT_T5_DEFAULTS.repetitionPenalty },
  {
    field: 'beamSearchDiversityRate',
    name: 'beam_search_diversity_rate',
    datatype: 'FP32',
    fallback: FT_T5_DEFAULTS.beamSearchDiversityRate,
  },
];

function column(name: string, datatype: 'UINT32' | 'FP32', values: readonly number[]): KServeV2Tensor {
  const shape = [values.length, 1];
  return datatype === 'UINT32'
    ? createTensor({ name, datatype, shape }, Uint32Array.from(values))
    : createTensor({ name, datatype, shape }, Float32Array.from(values));
}

/**
 * The infer request for a batch of rows. FT reads `max_output_len` and `beam_width` once per batch,
 * so all rows must agree on them. Optional inputs are sent only when some row differs from FT's
 * default, so the request also suits model configs that declare fewer inputs.
 */
export function buildFtT5Request(rows: readonly FtT5Row[], options: BuildFtT5RequestOptions = {}): KServeV2OutgoingInferRequest {
  const first = rows[0];
  if (first === undefined || rows.some((row) => row.maxNewTokens !== first.maxNewTokens || row.beamWidth !== first.beamWidth)) {
    throw protocolError('an FT batch needs at least one row, all with the same max_output_len and beam_width', {
      code: PROTOCOL_ERROR_CODES.unsupported,
      httpStatus: 500,
      given: `${rows.length} rows`,
    });
  }
  const width = Math.max(1, ...rows.map((row) => row.inputIds.length));
  const ids = new Uint32Array(rows.length * width).fill(options.padId ?? FT_T5_SPECIAL_IDS.padId);
  rows.forEach((row, index) => ids.set(row.inputIds, index * width));
  const inputs: KServeV2Tensor[] = [
    createTensor({ name: 'input_ids', datatype: 'UINT32', shape: [rows.length, width] }, ids),
    column(
      'sequence_length',
      'UINT32',
      rows.map((row) => row.inputIds.length),
    ),
    column(
      'max_output_len',
      'UINT32',
      rows.map((row) => row.maxNewTokens),
    ),
  ];
  for (const input of OPTIONAL_INPUTS) {
    const values = rows.map((row) => row[input.field]);
    if (values.some((value) => value !== input.fallback)) inputs.push(column(input.name, input.datatype, values));
  }
  if (rows.some((row) => row.seed !== undefined)) {
    const seeds = rows.map((row) => row.seed ?? randomBytes(8).readBigUInt64LE());
    inputs.push(createTensor({ name: 'random_seed', datatype: 'UINT64', shape: [rows.length, 1] }, BigUint64Array.from(seeds)));
  }
  const logProbs = rows.some((row) => row.returnLogProbs);
  // FT reads this flag once per batch: when any row wants log-probs, every row gets them.
  if (logProbs)
    inputs.push(
      createTensor({ name: 'is_return_log_probs', datatype: 'BOOL', shape: [rows.length, 1] }, new Uint8Array(rows.length).fill(1)),
    );
  const binaryData = options.binaryOutputs ?? true;
  const outputs = ['output_ids', 'sequence_length', ...(logProbs ? ['cum_log_probs', 'output_log_probs'] : [])].map((name) => ({
    name,
    binaryData,
  }));
  return { ...(options.id === undefined ? {} : { id: options.id }), inputs, outputs };
}

/** Options for {@link parseFtT5Reply}. */
export interface ParseFtT5ReplyOptions {
  /** Rows sent. */
  readonly batch: number;
  /** Decoder start id, dropped when a beam begins with it (default 0). */
  readonly startId?: number;
  /** `</s>`; a beam is cut after its first one (default 1). */
  readonly endId?: number;
}

/** One beam of a reply; `finishedByEos` = it ends with `endId`. */
export interface FtT5ReplyBeam extends FtT5Beam {
  readonly finishedByEos: boolean;
}

function replyError(name: string, summary: string, facts: { given: string; expected: string }): LlmDeployError {
  return messageError('reply', summary, { code: PROTOCOL_ERROR_CODES.tensorInvalid, field: `output '${name}'`, ...facts });
}

function idOutput(
  outputs: readonly KServeV2Tensor[],
  name: string,
  rank: number,
  batch: number,
): { shape: readonly number[]; data: ArrayLike<number> } {
  const tensor = outputs.find((output) => output.name === name);
  if (tensor === undefined)
    throw replyError(name, 'missing from the reply', {
      given: outputs.map((output) => output.name).join(', ') || 'no outputs',
      expected: name,
    });
  if (tensor.datatype !== 'UINT32' && tensor.datatype !== 'INT32')
    throw replyError(name, 'wrong datatype', { given: tensor.datatype, expected: 'UINT32 or INT32' });
  if (tensor.shape.length !== rank || tensor.shape[0] !== batch)
    throw replyError(name, 'wrong shape', { given: formatShape(tensor.shape), expected: `rank ${rank} with batch ${batch} first` });
  return { shape: tensor.shape, data: tensor.data };
}

function floatOutput(outputs: readonly KServeV2Tensor[], name: string): ArrayLike<number> | undefined {
  const tensor = outputs.find((output) => output.name === name);
  if (tensor === undefined) return undefined;
  if (tensor.datatype !== 'FP32' && tensor.datatype !== 'FP64')
    throw replyError(name, 'wrong datatype', { given: tensor.datatype, expected: 'FP32' });
  return tensor.data;
}

/**
 * Per-row beams from a reply: `output_ids[b][k][0:sequence_length[b][k]]`, minus a leading start id,
 * cut after the first `</s>`; log-probs when the reply has them.
 */
export function parseFtT5Reply(outputs: readonly KServeV2Tensor[], options: ParseFtT5ReplyOptions): FtT5ReplyBeam[][] {
  const { batch } = options;
  const startId = options.startId ?? FT_T5_SPECIAL_IDS.startId;
  const endId = options.endId ?? FT_T5_SPECIAL_IDS.endId;
  const ids = idOutput(outputs, 'output_ids', 3, batch);
  const beam = ids.shape[1]!;
  const width = ids.shape[2]!;
  const lengths = idOutput(outputs, 'sequence_length', 2, batch);
  if (lengths.shape[1] !== beam)
    throw replyError('sequence_length', 'wrong shape', { given: formatShape(lengths.shape), expected: `[${batch},${beam}]` });
  const cum = floatOutput(outputs, 'cum_log_probs');
  const perToken = floatOutput(outputs, 'output_log_probs');
  return Array.from({ length: batch }, (_, row) =>
    Array.from({ length: beam }, (_unused, beamIndex) => {
      const slot = row * beam + beamIndex;
      const length = lengths.data[slot]!;
      if (length < 0 || length > width)
        throw replyError('sequence_length', `value out of range at [${row},${beamIndex}]`, {
          given: String(length),
          expected: `0..${width}`,
        });
      let tokens = Array.from({ length }, (_none, index) => ids.data[slot * width + index]!);
      if (tokens[0] === startId) tokens = tokens.slice(1);
      const eos = tokens.indexOf(endId);
      if (eos >= 0) tokens = tokens.slice(0, eos + 1);
      const logProbs =
        perToken === undefined ? undefined : Array.from({ length: tokens.length }, (_none, index) => perToken[slot * width + index] ?? 0);
      return {
        tokenIds: tokens,
        finishedByEos: eos >= 0,
        ...(cum === undefined ? {} : { cumLogProb: cum[slot] ?? 0 }),
        ...(logProbs === undefined ? {} : { tokenLogProbs: logProbs }),
      };
    }),
  );
}
