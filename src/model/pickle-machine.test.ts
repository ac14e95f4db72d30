import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { PickleWriter, stateDictPickle } from './__fixtures__/torch-checkpoint.js';
import { unpickleStateDict } from './pickle-machine.js';
import type { PickleValue } from './pickle-machine.js';

function rejectsWith(code: string, given?: string) {
  return (error: unknown): boolean => {
    assert.ok(LlmDeployError.isInstance(error), `expected LlmDeployError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.file, 'data.pkl');
    if (given !== undefined) assert.equal(error.given, given);
    return true;
  };
}

function asMap(value: PickleValue): Map<PickleValue, PickleValue> {
  assert.ok(value instanceof Map);
  return value;
}

describe('unpickleStateDict', () => {
  it('builds tensor views from the opcodes torch.save writes', () => {
    const pickle = stateDictPickle([
      { name: 'a', storageClass: 'HalfStorage', key: '7', storageElements: 12, storageOffset: 2, shape: [2, 3], strides: [1, 2] },
      { name: 'b', storageClass: 'BFloat16Storage', key: '8', storageElements: 4, shape: [4], strides: [1] },
    ]);
    const result = asMap(unpickleStateDict(pickle, 'data.pkl'));
    assert.deepEqual(result.get('a'), {
      kind: 'tensor',
      storage: { kind: 'storage', dtype: 'F16', key: '7', elementCount: 12 },
      storageOffset: 2,
      shape: [2, 3],
      strides: [1, 2],
    });
    assert.deepEqual(result.get('b'), {
      kind: 'tensor',
      storage: { kind: 'storage', dtype: 'BF16', key: '8', elementCount: 4 },
      storageOffset: 0,
      shape: [4],
      strides: [1],
    });
  });

  it('understands protocol 4 framing: SHORT_BINUNICODE, STACK_GLOBAL, MEMOIZE, LONG1, BINGET', () => {
    const short = (text: string): number[] => [0x8c, text.length, ...Buffer.from(text)];
    const bytes = [
      0x80,
      4,
      0x95,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0, // PROTO 4, FRAME
      ...short('collections'),
      ...short('OrderedDict'),
      0x93,
      0x94,
      0x29,
      0x52,
      0x94, // OrderedDict() memo 0, result memo 1
      ...short('n'),
      0x8a,
      5,
      0,
      0,
      0,
      0,
      1, // LONG1 2^32
      0x73, // SETITEM
      ...short('again'),
      0x8a,
      1,
      0xff,
      0x73, // LONG1 -1
      0x68,
      1,
      0x30, // BINGET 1, POP
      0x4e,
      0x62, // NONE, BUILD (state dropped)
      0x2e,
    ];
    const result = asMap(unpickleStateDict(Uint8Array.from(bytes), 'data.pkl'));
    assert.deepEqual(
      [...result.entries()],
      [
        ['n', 2 ** 32],
        ['again', -1],
      ],
    );
  });

  it('refuses any global outside the allow-list, by GLOBAL or STACK_GLOBAL', () => {
    const viaGlobal = new PickleWriter().raw(0x80, 2).global('os', 'system').raw(0x2e).bytes();
    assert.throws(() => unpickleStateDict(viaGlobal, 'data.pkl'), rejectsWith('MODEL_PICKLE_UNSAFE', 'os.system'));
    const viaStack = Uint8Array.from([0x80, 4, 0x8c, 8, ...Buffer.from('builtins'), 0x8c, 4, ...Buffer.from('eval'), 0x93, 0x2e]);
    assert.throws(() => unpickleStateDict(viaStack, 'data.pkl'), rejectsWith('MODEL_PICKLE_UNSAFE', 'builtins.eval'));
    const storageOfLongs = new PickleWriter().raw(0x80, 2).global('torch', 'LongStorage').raw(0x2e).bytes();
    assert.throws(() => unpickleStateDict(storageOfLongs, 'data.pkl'), rejectsWith('MODEL_PICKLE_UNSAFE', 'torch.LongStorage'));
  });

  it('refuses opcodes outside the subset, naming the opcode', () => {
    for (const opcode of [0x69, 0x6f, 0x81, 0x92, 0x63 + 1]) {
      assert.throws(() => unpickleStateDict(Uint8Array.from([0x80, 2, opcode, 0x2e]), 'data.pkl'), rejectsWith('MODEL_PICKLE_UNSAFE'));
    }
  });

  it('refuses calls of allowed names with the wrong arguments', () => {
    const badRebuild = new PickleWriter()
      .raw(0x80, 2)
      .global('torch._utils', '_rebuild_tensor_v2')
      .mark()
      .text('x')
      .tuple()
      .raw(0x52, 0x2e)
      .bytes();
    assert.throws(() => unpickleStateDict(badRebuild, 'data.pkl'), rejectsWith('MODEL_PICKLE_UNEXPECTED'));
    const negativeOffset = stateDictPickle([{ name: 'w', key: '0', storageElements: 4, storageOffset: -1, shape: [1], strides: [1] }]);
    assert.throws(() => unpickleStateDict(negativeOffset, 'data.pkl'), rejectsWith('MODEL_PICKLE_UNEXPECTED'));
    const callStorage = new PickleWriter().raw(0x80, 2).global('torch', 'FloatStorage').raw(0x29, 0x52, 0x2e).bytes();
    assert.throws(() => unpickleStateDict(callStorage, 'data.pkl'), rejectsWith('MODEL_PICKLE_UNEXPECTED', 'torch.FloatStorage'));
  });

  it('refuses malformed streams: no STOP, empty stack, unknown memo, unbalanced MARK', () => {
    for (const bytes of [
      [0x80, 2, 0x7d],
      [0x80, 2, 0x30],
      [0x80, 2, 0x68, 9],
      [0x80, 2, 0x74],
      [0x80, 2, 0x58, 9, 0, 0, 0, 0x61],
    ]) {
      assert.throws(() => unpickleStateDict(Uint8Array.from(bytes), 'data.pkl'), rejectsWith('MODEL_PICKLE_UNEXPECTED'));
    }
  });
});
