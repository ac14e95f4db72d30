import type { FloatDtype } from './dtype.js';
import { modelError, renderValue } from './errors.js';

/** A class or function a pickle names with GLOBAL; only a fixed list is accepted, none is ever called. */
export interface PickleGlobal {
  readonly kind: 'global';
  readonly name: string;
}

/** A tensor storage, as PyTorch's persistent id describes it: `data/<key>` in the archive. */
export interface PickleStorage {
  readonly kind: 'storage';
  readonly dtype: FloatDtype;
  readonly key: string;
  readonly elementCount: number;
}

/** A tensor view over a storage (`_rebuild_tensor_v2`): offset and strides in elements. */
export interface PickleTensor {
  readonly kind: 'tensor';
  readonly storage: PickleStorage;
  readonly storageOffset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

/** Values the restricted machine can build. Tuples and lists are both arrays; dicts are Maps. */
export type PickleValue =
  null | boolean | number | bigint | string | PickleValue[] | Map<PickleValue, PickleValue> | PickleGlobal | PickleStorage | PickleTensor;

const STORAGE_TYPES: Readonly<Record<string, FloatDtype>> = {
  'torch.FloatStorage': 'F32',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
};
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';
const ORDERED_DICT = 'collections.OrderedDict';
const ALLOWED_GLOBALS = new Set([REBUILD_TENSOR, REBUILD_PARAMETER, ORDERED_DICT, ...Object.keys(STORAGE_TYPES)]);

type Handler = (machine: PickleMachine) => void;

/**
 * Runs the subset of the pickle protocol that `torch.save` state dicts use, building plain values.
 * It calls nothing: GLOBAL accepts only PyTorch's tensor rebuild functions, its float storage
 * classes and OrderedDict; any other global or opcode is MODEL_PICKLE_UNSAFE.
 */
export function unpickleStateDict(bytes: Uint8Array, file: string): PickleValue {
  return new PickleMachine(bytes, file).run();
}

class PickleMachine {
  readonly bytes: Buffer;
  readonly file: string;
  position = 0;
  stack: PickleValue[] = [];
  readonly marks: PickleValue[][] = [];
  readonly memo = new Map<number, PickleValue>();
  result: PickleValue | undefined;

  constructor(bytes: Uint8Array, file: string) {
    this.bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.file = file;
  }

  run(): PickleValue {
    while (this.result === undefined) {
      if (this.position >= this.bytes.byteLength) throw this.unexpected('pickle ends without STOP');
      const opcode = this.bytes[this.position] ?? 0;
      const at = this.position;
      this.position += 1;
      const handler = HANDLERS.get(opcode);
      if (handler === undefined) {
        throw modelError('MODEL_PICKLE_UNSAFE', 'pickle uses an opcode a PyTorch state dict does not need', {
          file: this.file,
          given: `opcode 0x${opcode.toString(16).padStart(2, '0')} (${JSON.stringify(String.fromCharCode(opcode))}) at byte ${at}`,
          expected: 'the opcodes torch.save writes for tensors',
        });
      }
      handler(this);
    }
    return this.result;
  }

  take(count: number): Buffer {
    if (this.position + count > this.bytes.byteLength) throw this.unexpected('pickle is truncated');
    const slice = this.bytes.subarray(this.position, this.position + count);
    this.position += count;
    return slice;
  }

  line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw this.unexpected('pickle is truncated inside GLOBAL');
    const text = this.bytes.toString('utf8', this.position, end);
    this.position = end + 1;
    return text;
  }

  pop(): PickleValue {
    if (this.stack.length === 0) throw this.unexpected('pickle pops an empty stack');
    return this.stack.pop() ?? null;
  }

  top(): PickleValue {
    if (this.stack.length === 0) throw this.unexpected('pickle reads an empty stack');
    return this.stack[this.stack.length - 1] ?? null;
  }

  popMark(): PickleValue[] {
    const items = this.stack;
    const previous = this.marks.pop();
    if (previous === undefined) throw this.unexpected('pickle closes a MARK it never opened');
    this.stack = previous;
    return items;
  }

  memoGet(index: number): PickleValue {
    const value = this.memo.get(index);
    if (value === undefined) throw this.unexpected(`pickle reads memo ${index}, never stored`);
    return value;
  }

  unexpected(summary: string, given?: string): Error {
    return modelError('MODEL_PICKLE_UNEXPECTED', summary, { file: this.file, ...(given === undefined ? {} : { given }) });
  }
}

function global(machine: PickleMachine, module: string, name: string): void {
  const full = `${module}.${name}`;
  if (!ALLOWED_GLOBALS.has(full)) {
    throw modelError('MODEL_PICKLE_UNSAFE', 'pickle names a global outside the PyTorch tensor allow-list (never executed)', {
      file: machine.file,
      given: full,
      expected: [...ALLOWED_GLOBALS].join(', '),
    });
  }
  machine.stack.push({ kind: 'global', name: full });
}

function isGlobal(value: PickleValue, name?: string): value is PickleGlobal {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Map) &&
    value.kind === 'global' &&
    (name === undefined || value.name === name)
  );
}

function isCount(value: PickleValue): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isIntegerList(value: PickleValue): value is number[] {
  return Array.isArray(value) && value.every(isCount);
}

function reduce(machine: PickleMachine): void {
  const args = machine.pop();
  const callable = machine.pop();
  if (!isGlobal(callable) || !Array.isArray(args))
    throw machine.unexpected('pickle REDUCE on something other than an allowed global', renderValue(String(callable)));
  switch (callable.name) {
    case ORDERED_DICT:
      machine.stack.push(new Map());
      return;
    case REBUILD_PARAMETER: {
      const [tensor] = args;
      if (typeof tensor !== 'object' || tensor === null || Array.isArray(tensor) || tensor instanceof Map || tensor.kind !== 'tensor') {
        throw machine.unexpected('_rebuild_parameter of something other than a tensor');
      }
      machine.stack.push(tensor);
      return;
    }
    case REBUILD_TENSOR: {
      const [storage = null, storageOffset = null, shape = null, strides = null] = args;
      const isStorage =
        typeof storage === 'object' &&
        storage !== null &&
        !Array.isArray(storage) &&
        !(storage instanceof Map) &&
        storage.kind === 'storage';
      if (!isStorage || !isCount(storageOffset) || !isIntegerList(shape) || !isIntegerList(strides)) {
        throw machine.unexpected('_rebuild_tensor_v2 with unexpected arguments');
      }
      machine.stack.push({ kind: 'tensor', storage, storageOffset, shape, strides });
      return;
    }
    default:
      throw machine.unexpected('pickle calls a global that is not a function here', callable.name);
  }
}

// persistent id: ('storage', storage_type, key, location, numel)
function persistentId(machine: PickleMachine): void {
  const id = machine.pop();
  if (!Array.isArray(id) || id.length < 5 || id[0] !== 'storage')
    throw machine.unexpected('unexpected persistent id', renderValue(String(id)));
  const [, type = null, key, , count = null] = id;
  if (!isGlobal(type) || typeof key !== 'string' || !isCount(count)) throw machine.unexpected('unexpected storage persistent id');
  const dtype = STORAGE_TYPES[type.name];
  if (dtype === undefined) throw machine.unexpected('storage type is not a float storage', type.name);
  machine.stack.push({ kind: 'storage', dtype, key, elementCount: count });
}

function setItems(machine: PickleMachine, items: PickleValue[]): void {
  const target = machine.top();
  if (!(target instanceof Map)) throw machine.unexpected('SETITEMS on something other than a dict');
  for (let index = 0; index + 1 < items.length; index += 2) target.set(items[index] ?? null, items[index + 1] ?? null);
}

function appendItems(machine: PickleMachine, items: PickleValue[]): void {
  const target = machine.top();
  if (!Array.isArray(target)) throw machine.unexpected('APPENDS on something other than a list');
  target.push(...items);
}

function signedLittleEndian(bytes: Buffer): number | bigint {
  if (bytes.byteLength === 0) return 0;
  let value = 0n;
  for (let index = bytes.byteLength - 1; index >= 0; index -= 1) value = (value << 8n) | BigInt(bytes[index] ?? 0);
  if (((bytes[bytes.byteLength - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(bytes.byteLength * 8);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

const HANDLERS = new Map<number, Handler>([
  [0x80, (m) => void m.take(1)], // PROTO
  [0x95, (m) => void m.take(8)], // FRAME
  [0x2e, (m) => (m.result = m.pop())], // STOP
  [
    0x28,
    (m) => {
      m.marks.push(m.stack);
      m.stack = [];
    },
  ], // MARK
  [0x7d, (m) => m.stack.push(new Map())], // EMPTY_DICT
  [0x5d, (m) => m.stack.push([])], // EMPTY_LIST
  [0x29, (m) => m.stack.push([])], // EMPTY_TUPLE
  [0x4e, (m) => m.stack.push(null)], // NONE
  [0x88, (m) => m.stack.push(true)], // NEWTRUE
  [0x89, (m) => m.stack.push(false)], // NEWFALSE
  [0x4b, (m) => m.stack.push(m.take(1).readUInt8(0))], // BININT1
  [0x4d, (m) => m.stack.push(m.take(2).readUInt16LE(0))], // BININT2
  [0x4a, (m) => m.stack.push(m.take(4).readInt32LE(0))], // BININT
  [0x8a, (m) => m.stack.push(signedLittleEndian(m.take(m.take(1).readUInt8(0))))], // LONG1
  [0x47, (m) => m.stack.push(m.take(8).readDoubleBE(0))], // BINFLOAT
  [0x58, (m) => m.stack.push(m.take(m.take(4).readUInt32LE(0)).toString('utf8'))], // BINUNICODE
  [0x8c, (m) => m.stack.push(m.take(m.take(1).readUInt8(0)).toString('utf8'))], // SHORT_BINUNICODE
  [0x8d, (m) => m.stack.push(m.take(Number(m.take(8).readBigUInt64LE(0))).toString('utf8'))], // BINUNICODE8
  [0x71, (m) => m.memo.set(m.take(1).readUInt8(0), m.top())], // BINPUT
  [0x72, (m) => m.memo.set(m.take(4).readUInt32LE(0), m.top())], // LONG_BINPUT
  [0x94, (m) => m.memo.set(m.memo.size, m.top())], // MEMOIZE
  [0x68, (m) => m.stack.push(m.memoGet(m.take(1).readUInt8(0)))], // BINGET
  [0x6a, (m) => m.stack.push(m.memoGet(m.take(4).readUInt32LE(0)))], // LONG_BINGET
  [0x63, (m) => global(m, m.line(), m.line())], // GLOBAL
  [
    0x93,
    (m) => {
      const name = m.pop();
      const module = m.pop();
      global(m, String(module), String(name));
    },
  ], // STACK_GLOBAL
  [
    0x74,
    (m) => {
      const items = m.popMark();
      m.stack.push(items);
    },
  ], // TUPLE (popMark swaps m.stack, so read it first)
  [0x85, (m) => m.stack.push([m.pop()])], // TUPLE1
  [
    0x86,
    (m) => {
      const b = m.pop();
      m.stack.push([m.pop(), b]);
    },
  ], // TUPLE2
  [
    0x87,
    (m) => {
      const c = m.pop();
      const b = m.pop();
      m.stack.push([m.pop(), b, c]);
    },
  ], // TUPLE3
  [0x51, persistentId], // BINPERSID
  [0x52, reduce], // REDUCE
  [
    0x73,
    (m) => {
      const value = m.pop();
      const key = m.pop();
      setItems(m, [key, value]);
    },
  ], // SETITEM
  [0x75, (m) => setItems(m, m.popMark())], // SETITEMS
  [0x61, (m) => appendItems(m, [m.pop()])], // APPEND
  [0x65, (m) => appendItems(m, m.popMark())], // APPENDS
  // BUILD sets state (e.g. an OrderedDict's _metadata); we drop the state and keep the object.
  [0x62, (m) => void m.pop()], // BUILD
  [0x30, (m) => void m.pop()], // POP
  [0x31, (m) => void m.popMark()], // POP_MARK
  [0x32, (m) => m.stack.push(m.top())], // DUP
]);
