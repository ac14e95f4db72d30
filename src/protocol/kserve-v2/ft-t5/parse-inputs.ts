/**
 * Server side of the FT T5 contract: decoded input tensors -> one {@link FtT5Row} per batch row.
 * Checks names, datatypes and shapes (400 naming the input); absent optional inputs take FT's defaults.
 */
import type { LlmDeployError } from '../../../config/index.js';
import { PROTOCOL_ERROR_CODES, protocolError } from '../../errors.js';
import { formatShape, type KServeV2Datatype } from '../datatypes.js';
import type { KServeV2Tensor } from '../tensor.js';
import { FT_T5_DEFAULTS, FT_T5_SCALAR_INPUTS, FT_T5_UNSUPPORTED_INPUTS, type FtT5ScalarInput } from './contract.js';
import type { FtT5Row } from './row.js';

/** Datatypes accepted per FT input (the contract's type first; INT32 for UINT32, as Triton clients send both). */
const ACCEPTED: Readonly<Record<string, readonly KServeV2Datatype[]>> = {
  UINT32: ['UINT32', 'INT32'],
  UINT64: ['UINT64', 'INT64', 'UINT32', 'INT32'],
  FP32: ['FP32', 'FP64'],
  BOOL: ['BOOL'],
};

function inputError(name: string, summary: string, facts: { given: string; expected: string }): LlmDeployError {
  return protocolError(summary, { code: PROTOCOL_ERROR_CODES.tensorInvalid, field: `input '${name}'`, ...facts });
}

function checkDatatype(tensor: KServeV2Tensor, contractType: string): void {
  const accepted = ACCEPTED[contractType] ?? [];
  if (!accepted.includes(tensor.datatype)) {
    throw inputError(tensor.name, 'wrong datatype', { given: tensor.datatype, expected: accepted.join(' or ') });
  }
}

/** Values of a tensor as numbers, except 64-bit ones, which stay bigint. */
function values(tensor: KServeV2Tensor): (number | bigint)[] {
  if (tensor.datatype === 'BYTES') return [];
  return Array.from(tensor.data as ArrayLike<number | bigint>);
}

function scalarColumn(tensor: KServeV2Tensor, batch: number): (number | bigint)[] {
  const shapeOk =
    (tensor.shape.length === 2 && tensor.shape[0] === batch && tensor.shape[1] === 1) ||
    (tensor.shape.length === 1 && tensor.shape[0] === batch);
  if (!shapeOk)
    throw inputError(tensor.name, `wrong shape for a batch of ${batch}`, { given: formatShape(tensor.shape), expected: `[${batch},1]` });
  return values(tensor);
}

function collect(inputs: readonly KServeV2Tensor[]): Map<string, KServeV2Tensor> {
  const known = ['input_ids', ...Object.keys(FT_T5_SCALAR_INPUTS)];
  const byName = new Map<string, KServeV2Tensor>();
  for (const tensor of inputs) {
    if ((FT_T5_UNSUPPORTED_INPUTS as readonly string[]).includes(tensor.name)) {
      throw protocolError('FasterTransformer input not supported here', {
        code: PROTOCOL_ERROR_CODES.unsupported,
        field: `input '${tensor.name}'`,
        given: 'present',
        expected: `only ${known.join(', ')}`,
      });
    }
    if (!known.includes(tensor.name))
      throw inputError(tensor.name, 'unexpected input for model fastertransformer', {
        given: 'present',
        expected: `one of ${known.join(', ')}`,
      });
    byName.set(tensor.name, tensor);
  }
  return byName;
}

function required(byName: Map<string, KServeV2Tensor>, name: string, expected: string): KServeV2Tensor {
  const tensor = byName.get(name);
  if (tensor === undefined)
    throw protocolError('missing required input', { code: PROTOCOL_ERROR_CODES.inputMissing, field: `input '${name}'`, expected });
  return tensor;
}

interface RowRanges {
  readonly name: FtT5ScalarInput;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

const RANGES: readonly RowRanges[] = [
  { name: 'max_output_len', min: 1, max: 2 ** 31 - 1, integer: true },
  { name: 'runtime_top_k', min: 0, max: 2 ** 31 - 1, integer: true },
  { name: 'runtime_top_p', min: 0, max: 1, integer: false },
  { name: 'beam_width', min: 1, max: 1024, integer: true },
  // 0 is greedy decoding, as on every route (the engine's resolve step applies it)
  { name: 'temperature', min: 0, max: Number.MAX_VALUE, integer: false },
  { name: 'repetition_penalty', min: Number.MIN_VALUE, max: Number.MAX_VALUE, integer: false },
  { name: 'len_penalty', min: -Number.MAX_VALUE, max: Number.MAX_VALUE, integer: false },
  { name: 'beam_search_diversity_rate', min: -Number.MAX_VALUE, max: Number.MAX_VALUE, integer: false },
];

function checkRange(range: RowRanges, row: number, value: number): number {
  if (!Number.isFinite(value) || value < range.min || value > range.max || (range.integer && !Number.isInteger(value))) {
    const lower = range.min > 0 ? '> 0' : range.min === 0 ? '>= 0' : 'finite';
    const bounds = range.max === Number.MAX_VALUE ? lower : `${range.min}..${range.max}`;
    throw inputError(range.name, `value out of range in row ${row}`, { given: String(value), expected: bounds });
  }
  return value;
}

/**
 * Rows of an FT infer request. `input_ids` `[batch, len]` UINT32 (INT32 accepted), `sequence_length`
 * and `max_output_len` `[batch, 1]` required; every other per-row input optional.
 * @example parseFtT5Inputs(decodeInferRequest(body, options).inputs)
 */
export function parseFtT5Inputs(inputs: readonly KServeV2Tensor[]): FtT5Row[] {
  const byName = collect(inputs);
  const ids = required(byName, 'input_ids', 'UINT32 [batch, len]');
  checkDatatype(ids, 'UINT32');
  if (ids.shape.length !== 2 || ids.shape[0]! < 1 || ids.shape[1]! < 1)
    throw inputError('input_ids', 'wrong shape', { given: formatShape(ids.shape), expected: '[batch,len] with batch >= 1 and len >= 1' });
  const [batch, width] = [ids.shape[0]!, ids.shape[1]!];
  const idValues = values(ids).map(Number);
  const negative = idValues.find((id) => id < 0);
  if (negative !== undefined) throw inputError('input_ids', 'negative token id', { given: String(negative), expected: 'ids >= 0' });
  const columns = new Map<FtT5ScalarInput, (number | bigint)[]>();
  required(byName, 'sequence_length', 'UINT32 [batch, 1]');
  required(byName, 'max_output_len', 'UINT32 [batch, 1]');
  for (const [name, contractType] of Object.entries(FT_T5_SCALAR_INPUTS)) {
    const tensor = byName.get(name);
    if (tensor === undefined) continue;
    checkDatatype(tensor, contractType);
    columns.set(name as FtT5ScalarInput, scalarColumn(tensor, batch));
  }
  return Array.from({ length: batch }, (_, row) => buildRow({ row, width, idValues, columns }));
}

interface RowContext {
  readonly row: number;
  readonly width: number;
  readonly idValues: readonly number[];
  readonly columns: ReadonlyMap<FtT5ScalarInput, readonly (number | bigint)[]>;
}

function buildRow(context: RowContext): FtT5Row {
  const { row, width, idValues, columns } = context;
  const number = (name: FtT5ScalarInput, fallback: number): number => {
    const value = columns.get(name)?.[row];
    const resolved = value === undefined ? fallback : Number(value);
    const range = RANGES.find((entry) => entry.name === name);
    return range === undefined ? resolved : checkRange(range, row, resolved);
  };
  const length = number('sequence_length', width);
  if (!Number.isInteger(length) || length < 1 || length > width)
    throw inputError('sequence_length', `value out of range in row ${row}`, {
      given: String(length),
      expected: `1..${width} (the input_ids width)`,
    });
  const seed = columns.get('random_seed')?.[row];
  const startId = columns.get('start_id')?.[row];
  const endId = columns.get('end_id')?.[row];
  return {
    inputIds: idValues.slice(row * width, row * width + length),
    maxNewTokens: number('max_output_len', 0),
    topK: number('runtime_top_k', FT_T5_DEFAULTS.topK),
    topP: number('runtime_top_p', FT_T5_DEFAULTS.topP),
    beamWidth: number('beam_width', FT_T5_DEFAULTS.beamWidth),
    temperature: number('temperature', FT_T5_DEFAULTS.temperature),
    lengthPenalty: number('len_penalty', FT_T5_DEFAULTS.lengthPenalty),
    repetitionPenalty: number('repetition_penalty', FT_T5_DEFAULTS.repetitionPenalty),
    beamSearchDiversityRate: number('beam_search_diversity_rate', FT_T5_DEFAULTS.beamSearchDiversityRate),
    ...(seed === undefined ? {} : { seed: BigInt.asUintN(64, BigInt(seed)) }),
    returnLogProbs: number('is_return_log_probs', 0) !== 0,
    ...(startId === undefined ? {} : { startId: Number(startId) }),
    ...(endId === undefined ? {} : { endId: Number(endId) }),
  };
}
