/**
 * The FasterTransformer T5 input contract, server side: decoded KServe v2 input tensors into one
 * generation job per batch row. Per-request scalars arrive as `[batch, 1]` (or `[batch]`, or one
 * value for the whole batch); absent optional inputs take FasterTransformer's defaults.
 */
import type { GenerationOverrides } from '../../engine/index.js';
import type { KServeV2Tensor } from '../../protocol/index.js';
import { invalidField } from '../errors.js';
import { checkNewTokens } from '../params/hf-params.js';

/** One row of an FT request. */
export interface FtRow {
  /** `[seq]` prompt ids cut to the row's `sequence_length`. */
  readonly inputIds: number[];
  readonly params: GenerationOverrides;
  readonly beamWidth: number;
  readonly returnLogProbs: boolean;
}

type Kind = 'integer' | 'float' | 'boolean';

/** Inputs we read, their kind, and FT's default (undefined = required or absent). */
const SCALARS: Readonly<Record<string, { kind: Kind; fallback?: number }>> = {
  sequence_length: { kind: 'integer' },
  max_output_len: { kind: 'integer' },
  runtime_top_k: { kind: 'integer', fallback: 1 },
  runtime_top_p: { kind: 'float', fallback: 0 },
  temperature: { kind: 'float', fallback: 1 },
  len_penalty: { kind: 'float', fallback: 0 },
  repetition_penalty: { kind: 'float', fallback: 1 },
  beam_width: { kind: 'integer', fallback: 1 },
  random_seed: { kind: 'integer' },
  is_return_log_probs: { kind: 'boolean', fallback: 0 },
  beam_search_diversity_rate: { kind: 'float', fallback: 0 },
  start_id: { kind: 'integer' },
  end_id: { kind: 'integer' },
};

const INTEGER_TYPES = new Set(['UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64']);
const FLOAT_TYPES = new Set(['FP32', 'FP64']);

/** The model facts the contract checks against. */
export interface FtModelFacts {
  readonly maxNewTokensCap: number;
  readonly maxBatch: number;
  readonly maxInputTokens: number;
  readonly eosTokenId: number;
  readonly decoderStartTokenId: number;
}

/** Turns decoded input tensors into rows; every mistake is a 400 naming the tensor. */
export function ftRowsFromTensors(inputs: readonly KServeV2Tensor[], facts: FtModelFacts): FtRow[] {
  const byName = new Map<string, KServeV2Tensor>();
  for (const tensor of inputs) {
    if (tensor.name !== 'input_ids' && !(tensor.name in SCALARS)) {
      throw invalidField('unexpected input', { field: `inputs '${tensor.name}'`, expected: `input_ids, ${Object.keys(SCALARS).join(', ')}` });
    }
    if (byName.has(tensor.name)) throw invalidField('input given twice', { field: `inputs '${tensor.name}'` });
    byName.set(tensor.name, tensor);
  }
  const ids = byName.get('input_ids');
  if (ids === undefined) throw invalidField('missing required input', { field: "inputs 'input_ids'", expected: 'UINT32 [batch, seq]' });
  if (ids.shape.length !== 2 || !INTEGER_TYPES.has(ids.datatype)) {
    throw invalidField('bad input_ids', { field: "inputs 'input_ids'", given: `${ids.datatype} [${ids.shape.join(',')}]`, expected: 'UINT32 [batch, seq]' });
  }
  const [batch = 0, width = 0] = ids.shape;
  if (batch < 1 || width < 1) throw invalidField('empty input_ids', { field: "inputs 'input_ids'", expected: 'batch >= 1 and seq >= 1' });
  if (batch > facts.maxBatch) {
    throw invalidField('batch too large', { field: "inputs 'input_ids'", given: String(batch), expected: `at most ${facts.maxBatch} rows` });
  }
  if (width > facts.maxInputTokens) {
    throw invalidField('prompt is too long', { field: "inputs 'input_ids'", given: `${width} tokens`, expected: `at most ${facts.maxInputTokens}` });
  }
  const idValues = numbers(ids, 'integer');
  const column = (name: string): number[] | undefined => scalarColumn(byName.get(name), batch);
  if (!byName.has('max_output_len')) throw invalidField('missing required input', { field: "inputs 'max_output_len'", expected: 'UINT32 [batch, 1]' });
  checkSpecialId(column('start_id'), facts.decoderStartTokenId, 'start_id');
  checkSpecialId(column('end_id'), facts.eosTokenId, 'end_id');
  const bad = idValues.find((id) => id < 0);
  if (bad !== undefined) throw invalidField('bad token id', { field: "inputs 'input_ids'", given: String(bad), expected: 'ids >= 0' });
  if (column('beam_search_diversity_rate')?.some((value) => value !== 0)) {
    throw invalidField('not supported', { field: "inputs 'beam_search_diversity_rate'", expected: '0' });
  }
  return Array.from({ length: batch }, (_, row) => buildRow(row, { idValues, width, column, facts }));
}

interface RowContext {
  readonly idValues: number[];
  readonly width: number;
  readonly column: (name: string) => number[] | undefined;
  readonly facts: FtModelFacts;
}

function buildRow(row: number, context: RowContext): FtRow {
  const { idValues, width, column, facts } = context;
  const value = (name: string): number => {
    const found = column(name)?.[row] ?? SCALARS[name]?.fallback;
    if (found === undefined) throw invalidField('missing required input', { field: `inputs '${name}'` });
    return found;
  };
  const length = column('sequence_length')?.[row] ?? width;
  if (!Number.isInteger(length) || length < 1 || length > width) {
    throw invalidField('bad sequence_length', { field: `inputs 'sequence_length'[${row}]`, given: String(length), expected: `1..${width}` });
  }
  const maxNewTokens = value('max_output_len');
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw invalidField('bad max_output_len', { field: `inputs 'max_output_len'[${row}]`, given: String(maxNewTokens), expected: 'an integer >= 1' });
  }
  checkNewTokens(maxNewTokens, facts.maxNewTokensCap, `inputs 'max_output_len'[${row}]`);
  const topK = value('runtime_top_k');
  const topP = value('runtime_top_p');
  const beamWidth = value('beam_width');
  const temperature = value('temperature');
  const repetitionPenalty = value('repetition_penalty');
  checkRange(`beam_width'[${row}`, beamWidth, { min: 1, max: 64, integer: true });
  checkRange(`runtime_top_k'[${row}`, topK, { min: 0, max: 1_000_000, integer: true });
  checkRange(`runtime_top_p'[${row}`, topP, { min: 0, max: 1, integer: false });
  checkRange(`temperature'[${row}`, temperature, { min: 1e-6, max: 100, integer: false });
  checkRange(`repetition_penalty'[${row}`, repetitionPenalty, { min: 1e-6, max: 100, integer: false });
  const seed = column('random_seed')?.[row];
  const sampling = beamWidth === 1 && (topK > 1 || topP > 0);
  const params: GenerationOverrides = {
    maxNewTokens,
    numBeams: beamWidth,
    numReturnSequences: beamWidth,
    doSample: sampling,
    temperature,
    // FT: top_k 0 with top_p > 0 means nucleus only
    topK: sampling ? topK : 0,
    topP: sampling && topP > 0 ? topP : 1,
    repetitionPenalty,
    lengthPenalty: value('len_penalty'),
    ...(seed === undefined ? {} : { seed: seed % Number.MAX_SAFE_INTEGER }),
  };
  const inputIds = idValues.slice(row * width, row * width + length);
  return { inputIds, params, beamWidth, returnLogProbs: value('is_return_log_probs') !== 0 };
}

/** `where` is the tensor name and row as messages show them, e.g. `beam_width'[0`. */
function checkRange(where: string, value: number, range: { min: number; max: number; integer: boolean }): void {
  const { min, max, integer } = range;
  if ((integer && !Number.isInteger(value)) || !(value >= min && value <= max)) {
    throw invalidField('value out of range', { field: `inputs '${where}]`, given: String(value), expected: `${integer ? 'an integer ' : ''}${min}..${max}` });
  }
}

function checkSpecialId(given: number[] | undefined, expected: number, name: string): void {
  if (given !== undefined && given.some((value) => value !== expected)) {
    throw invalidField(`${name} differs from the model's`, { field: `inputs '${name}'`, given: String(given[0]), expected: String(expected) });
  }
}

/** A per-request scalar: `[batch, 1]`, `[batch]`, or one value for all rows. */
function scalarColumn(tensor: KServeV2Tensor | undefined, batch: number): number[] | undefined {
  if (tensor === undefined) return undefined;
  const spec = SCALARS[tensor.name];
  const values = numbers(tensor, spec?.kind ?? 'integer');
  const shapeOk = tensor.shape.length <= 2 && (tensor.shape.length < 2 || tensor.shape[1] === 1);
  if (!shapeOk || (values.length !== batch && values.length !== 1)) {
    throw invalidField('bad shape', {
      field: `inputs '${tensor.name}'`,
      given: `[${tensor.shape.join(',')}]`,
      expected: `[${batch}, 1] (one value per row)`,
    });
  }
  return values.length === batch ? values : Array.from({ length: batch }, () => values[0] ?? 0);
}

function numbers(tensor: KServeV2Tensor, kind: Kind): number[] {
  const allowed = kind === 'boolean' ? new Set(['BOOL', ...INTEGER_TYPES]) : kind === 'float' ? new Set([...FLOAT_TYPES, 'FP16']) : INTEGER_TYPES;
  if (!allowed.has(tensor.datatype) || tensor.datatype === 'FP16') {
    throw invalidField('wrong datatype', {
      field: `inputs '${tensor.name}'`,
      given: tensor.datatype,
      expected: kind === 'float' ? 'FP32' : kind === 'boolean' ? 'BOOL' : 'UINT32',
    });
  }
  const out: number[] = [];
  for (const value of tensor.data as Iterable<number | bigint | Uint8Array>) {
    if (typeof value === 'bigint') {
      // UINT64 seeds may exceed 2^53; the seed only needs to be deterministic
      out.push(Number(value % BigInt(Number.MAX_SAFE_INTEGER)));
    } else if (typeof value === 'number') out.push(value);
  }
  return out;
}
