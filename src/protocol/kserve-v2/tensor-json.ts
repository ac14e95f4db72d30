/**
 * JSON `data` <-> typed tensors. Accepts nested or flat row-major data, checks the element count
 * against product(shape) and every element against the datatype (integers in range, no NaN or
 * Infinity, UINT64/INT64 exact through BigInt).
 */
import type { LlmDeployError } from '../../config/index.js';
import { messageError, PROTOCOL_ERROR_CODES, type MessageSource } from '../errors.js';
import { renderValue } from '../zod-error.js';
import { checkedElementCount, DATATYPE_INFO, formatShape, type KServeV2Datatype } from './datatypes.js';
import { createTensor, type KServeV2Parameters, type KServeV2Tensor, type KServeV2TensorArrays } from './tensor.js';

/** Everything about a tensor but its elements. */
export interface TensorDescriptor {
  readonly name: string;
  readonly datatype: KServeV2Datatype;
  readonly shape: readonly number[];
  readonly parameters?: KServeV2Parameters;
}

/** Where a tensor came from, for messages: a client's input or an upstream output. */
export interface TensorOrigin {
  readonly source: MessageSource;
  /** `input` or `output`. */
  readonly role: 'input' | 'output';
}

/** A JSON element. */
export type JsonElement = number | boolean | string;

/** `input 'input_ids'` */
export function tensorField(origin: TensorOrigin, name: string): string {
  return `${origin.role} '${name}'`;
}

function tensorError(origin: TensorOrigin, name: string, summary: string, facts: { given?: string; expected?: string }): LlmDeployError {
  return messageError(origin.source, summary, { code: PROTOCOL_ERROR_CODES.tensorInvalid, field: tensorField(origin, name), ...facts });
}

/**
 * Visits the leaves of nested `data` in row-major order, iteratively (no recursion: 100,000 levels
 * cannot overflow the stack), until `visit` returns false.
 */
function visitLeaves(data: readonly unknown[], visit: (leaf: unknown) => boolean): void {
  const stack: (readonly unknown[])[] = [data];
  const positions: number[] = [0];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const position = positions[positions.length - 1]!;
    if (position >= top.length) {
      stack.pop();
      positions.pop();
      continue;
    }
    positions[positions.length - 1] = position + 1;
    const element: unknown = top[position];
    if (Array.isArray(element)) {
      stack.push(element);
      positions.push(0);
    } else if (!visit(element)) return;
  }
}

/** Counts the leaves of nested `data`, stopping once the count passes `limit`, so oversized data is never walked whole. */
function countLeaves(data: readonly unknown[], limit: number): number {
  let count = 0;
  visitLeaves(data, () => {
    count += 1;
    return count <= limit;
  });
  return count;
}

/** Row-major leaves of `data` (called once their count is known to match the shape). */
function flatten(data: readonly unknown[]): unknown[] {
  if (!data.some(Array.isArray)) return [...data];
  const flat: unknown[] = [];
  visitLeaves(data, (leaf) => {
    flat.push(leaf);
    return true;
  });
  return flat;
}

function parseBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return BigInt(value);
  return undefined;
}

function convertElements(descriptor: TensorDescriptor, elements: readonly unknown[], origin: TensorOrigin): KServeV2Tensor {
  const { name, datatype, shape } = descriptor;
  const info = DATATYPE_INFO[datatype];
  const bad = (index: number, expected: string): LlmDeployError =>
    tensorError(origin, name, `element ${index} does not fit ${datatype}`, { given: renderValue(elements[index]), expected });
  const make = <D extends KServeV2Datatype>(dt: D, data: KServeV2TensorArrays[D]): KServeV2Tensor =>
    createTensor({ name, datatype: dt, shape, parameters: descriptor.parameters }, data);
  switch (info.json) {
    case 'boolean': {
      const data = new Uint8Array(elements.length);
      elements.forEach((value, index) => {
        if (typeof value !== 'boolean') throw bad(index, 'true or false');
        data[index] = value ? 1 : 0;
      });
      return make('BOOL', data);
    }
    case 'integer': {
      const [min, max] = [Number(info.min), Number(info.max)];
      const values = elements.map((value, index) => {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
          throw bad(index, `an integer in ${min}..${max}`);
        return value;
      });
      return integerTensor(datatype, values, make);
    }
    case 'bigint': {
      const values = elements.map((value, index) => {
        const parsed = parseBigInt(value);
        if (parsed === undefined || parsed < info.min! || parsed > info.max!)
          throw bad(index, `an integer in ${info.min}..${info.max} (above 2^53 send a decimal string or binary data)`);
        return parsed;
      });
      return datatype === 'UINT64' ? make('UINT64', BigUint64Array.from(values)) : make('INT64', BigInt64Array.from(values));
    }
    case 'float': {
      const values = elements.map((value, index) => {
        if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(index, 'a finite number');
        return value;
      });
      return datatype === 'FP64' ? make('FP64', Float64Array.from(values)) : make('FP32', Float32Array.from(values));
    }
    case 'string': {
      const encoder = new TextEncoder();
      const data = elements.map((value, index) => {
        if (typeof value !== 'string') throw bad(index, 'a string');
        return encoder.encode(value);
      });
      return make('BYTES', data);
    }
    case 'binary-only':
      throw tensorError(origin, name, `${datatype} data cannot be sent as JSON`, {
        expected: 'binary tensor data (parameters.binary_data_size and the Inference-Header-Content-Length header)',
      });
    default: {
      const impossible: never = info.json;
      throw new Error(`unknown JSON kind ${String(impossible)}`);
    }
  }
}

function integerTensor(
  datatype: KServeV2Datatype,
  values: number[],
  make: <D extends KServeV2Datatype>(dt: D, data: KServeV2TensorArrays[D]) => KServeV2Tensor,
): KServeV2Tensor {
  switch (datatype) {
    case 'UINT8':
      return make('UINT8', Uint8Array.from(values));
    case 'UINT16':
      return make('UINT16', Uint16Array.from(values));
    case 'UINT32':
      return make('UINT32', Uint32Array.from(values));
    case 'INT8':
      return make('INT8', Int8Array.from(values));
    case 'INT16':
      return make('INT16', Int16Array.from(values));
    default:
      return make('INT32', Int32Array.from(values));
  }
}

/**
 * Reads JSON `data` (nested or flat) into a typed tensor.
 * @example tensorFromJson({ name: 'x', datatype: 'UINT32', shape: [2, 2] }, [[1, 2], [3, 4]], { source: 'request', role: 'input' })
 */
export function tensorFromJson(descriptor: TensorDescriptor, data: unknown, origin: TensorOrigin): KServeV2Tensor {
  if (!Array.isArray(data)) {
    throw tensorError(origin, descriptor.name, 'data must be a JSON array', {
      given: renderValue(data),
      expected: 'a nested or flat array',
    });
  }
  const shape = formatShape(descriptor.shape);
  const needed = checkedElementCount(descriptor.shape);
  if (needed === undefined) {
    throw tensorError(origin, descriptor.name, `shape ${shape} has too many elements`, {
      given: `shape ${shape}`,
      expected: `a product of dimensions of at most ${Number.MAX_SAFE_INTEGER}`,
    });
  }
  // counted before anything is built: data that disagrees with the shape is never materialised
  const count = countLeaves(data, needed);
  if (count !== needed) {
    throw tensorError(origin, descriptor.name, `data element count does not match shape ${shape}`, {
      given: count > needed ? `more than ${needed} elements` : `${count} elements`,
      expected: `${needed} elements`,
    });
  }
  return convertElements(descriptor, flatten(data), origin);
}

/**
 * Flat JSON `data` for a tensor. UINT64/INT64 become numbers when exact (below 2^53), else decimal
 * strings; BYTES become UTF-8 strings. Throws for FP16/BF16, which are binary-only.
 */
export function tensorToJson(tensor: KServeV2Tensor, origin: TensorOrigin): JsonElement[] {
  switch (tensor.datatype) {
    case 'BOOL':
      return Array.from(tensor.data, (value) => value !== 0);
    case 'UINT64':
    case 'INT64':
      return Array.from(tensor.data as ArrayLike<bigint>, (value) =>
        value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString(),
      );
    case 'BYTES': {
      const decoder = new TextDecoder();
      return tensor.data.map((bytes) => decoder.decode(bytes));
    }
    case 'FP16':
    case 'BF16':
      throw tensorError(origin, tensor.name, `${tensor.datatype} data cannot be sent as JSON`, {
        expected: 'binary_data: true for this output',
      });
    default:
      return Array.from(tensor.data);
  }
}
