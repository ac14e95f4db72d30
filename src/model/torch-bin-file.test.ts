import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { float32Bytes, PickleWriter, stateDictPickle, writeTorchCheckpoint, writeZip } from './__fixtures__/torch-checkpoint.js';
import { TensorReader } from './tensor-reader.js';
import type { TensorRecord } from './tensor-record.js';
import { readTorchBinFile } from './torch-bin-file.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-bin-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const scratchFile = (): string => join(scratch, `case-${(counter += 1)}.bin`);

function rejectsWith(code: string, facts: { file?: string; field?: string; given?: string } = {}) {
  return (error: unknown): boolean => {
    assert.ok(LlmDeployError.isInstance(error), `expected LlmDeployError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const key of ['file', 'field', 'given'] as const) if (facts[key] !== undefined) assert.equal(error[key], facts[key]);
    return true;
  };
}

async function readAll(file: string): Promise<Map<string, Float32Array>> {
  const reader = new TensorReader();
  try {
    return new Map((await readTorchBinFile(file)).map((record: TensorRecord) => [record.name, reader.read(record)]));
  } finally {
    reader.close();
  }
}

describe('readTorchBinFile', () => {
  it('keeps the tied aliases of the fixture as views of one storage', async () => {
    const records = await readTorchBinFile(join(fixtures, 't5-tiny-relu', 'pytorch_model.bin'));
    const byName = new Map(records.map((record) => [record.name, record]));
    const shared = byName.get('shared.weight');
    assert.ok(shared !== undefined);
    for (const alias of ['encoder.embed_tokens.weight', 'decoder.embed_tokens.weight', 'lm_head.weight']) {
      assert.deepEqual(byName.get(alias)?.storage, shared.storage, alias);
    }
  });

  it('reads strided views and storage offsets in row-major order', async () => {
    const file = scratchFile();
    const pickle = stateDictPickle([
      { name: 'transposed', key: '0', storageElements: 6, shape: [3, 2], strides: [1, 3] },
      { name: 'tail', key: '0', storageElements: 6, storageOffset: 4, shape: [2], strides: [1] },
      { name: 'column', key: '0', storageElements: 6, storageOffset: 1, shape: [2, 1], strides: [3, 1] },
    ]);
    writeTorchCheckpoint(file, pickle, new Map([['0', float32Bytes([0, 1, 2, 3, 4, 5])]]));
    const tensors = await readAll(file);
    assert.deepEqual([...(tensors.get('transposed') ?? [])], [0, 3, 1, 4, 2, 5]);
    assert.deepEqual([...(tensors.get('tail') ?? [])], [4, 5]);
    assert.deepEqual([...(tensors.get('column') ?? [])], [1, 4]);
  });

  it('reads zip64 archives (what torch.save writes past 4 GiB)', async () => {
    const file = scratchFile();
    const pickle = stateDictPickle([{ name: 'w', key: '0', storageElements: 3, shape: [3], strides: [1] }]);
    writeTorchCheckpoint(file, pickle, new Map([['0', float32Bytes([1.5, -2.5, 3.5])]]), { zip64: true });
    assert.deepEqual([...((await readAll(file)).get('w') ?? [])], [1.5, -2.5, 3.5]);
  });

  it('converts HalfStorage and BFloat16Storage to float32, stored or deflated', async () => {
    // IEEE half: 1.0 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff, 2^-24 = 0x0001; bfloat16: 1 = 0x3f80, -3 = 0xc040.
    const half = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]);
    const brain = new Uint16Array([0x3f80, 0xc040]);
    const pickle = stateDictPickle([
      { name: 'half', storageClass: 'HalfStorage', key: 'h', storageElements: 4, shape: [4], strides: [1] },
      { name: 'brain', storageClass: 'BFloat16Storage', key: 'b', storageElements: 2, shape: [2], strides: [1] },
    ]);
    for (const deflate of [false, true]) {
      const file = scratchFile();
      const storages = new Map([
        ['h', new Uint8Array(half.buffer)],
        ['b', new Uint8Array(brain.buffer)],
      ]);
      writeTorchCheckpoint(file, pickle, storages, { deflate });
      const tensors = await readAll(file);
      assert.deepEqual([...(tensors.get('half') ?? [])], [1, -2, 65504, 2 ** -24]);
      assert.deepEqual([...(tensors.get('brain') ?? [])], [1, -3]);
    }
  });

  it('refuses a global outside the allow-list without running it', async () => {
    const file = scratchFile();
    const pickle = new PickleWriter().raw(0x80, 2).global('os', 'system').mark().text('echo pwned').tuple().raw(0x52, 0x2e).bytes();
    writeTorchCheckpoint(file, pickle, new Map());
    await assert.rejects(readTorchBinFile(file), rejectsWith('MODEL_PICKLE_UNSAFE', { file, given: 'os.system' }));
  });

  it('refuses opcodes a state dict does not use', async () => {
    const file = scratchFile();
    // INST (0x69) builds objects from a class name: not part of the allowed subset.
    writeTorchCheckpoint(file, Buffer.from('\x80\x02(ibuiltins\neval\n.', 'latin1'), new Map());
    await assert.rejects(readTorchBinFile(file), rejectsWith('MODEL_PICKLE_UNSAFE', { file }));
  });

  it('refuses a pickle that is not a dict of tensors', async () => {
    const list = scratchFile();
    writeTorchCheckpoint(list, new PickleWriter().raw(0x80, 2, 0x5d, 0x2e).bytes(), new Map());
    await assert.rejects(readTorchBinFile(list), rejectsWith('MODEL_PICKLE_UNEXPECTED', { file: list }));
    const mixed = scratchFile();
    writeTorchCheckpoint(mixed, new PickleWriter().raw(0x80, 2, 0x7d).mark().text('step').int(7).raw(0x75, 0x2e).bytes(), new Map());
    await assert.rejects(readTorchBinFile(mixed), rejectsWith('MODEL_PICKLE_UNEXPECTED', { file: mixed, field: 'step' }));
    const cut = scratchFile();
    writeTorchCheckpoint(
      cut,
      stateDictPickle([{ name: 'w', key: '0', storageElements: 1, shape: [1], strides: [1] }]).subarray(0, 40),
      new Map(),
    );
    await assert.rejects(readTorchBinFile(cut), rejectsWith('MODEL_PICKLE_UNEXPECTED', { file: cut }));
  });

  it('refuses files that are not zip archives, or are truncated', async () => {
    const text = scratchFile();
    writeFileSync(text, 'this is not a checkpoint at all, just some text padding it out past 22 bytes');
    await assert.rejects(readTorchBinFile(text), rejectsWith('MODEL_WEIGHTS_INVALID', { file: text }));
    const truncated = scratchFile();
    const whole = readFileSync(join(fixtures, 't5-tiny-relu', 'pytorch_model.bin'));
    writeFileSync(truncated, whole.subarray(0, whole.byteLength - 100));
    await assert.rejects(readTorchBinFile(truncated), rejectsWith('MODEL_WEIGHTS_INVALID', { file: truncated }));
    const noPickle = scratchFile();
    writeZip(noPickle, [{ name: 'archive/readme.txt', data: Buffer.from('hello') }]);
    await assert.rejects(readTorchBinFile(noPickle), rejectsWith('MODEL_WEIGHTS_INVALID', { file: noPickle }));
    await assert.rejects(readTorchBinFile(join(scratch, 'absent.bin')), rejectsWith('MODEL_FILE_MISSING'));
  });

  it('names the tensor whose storage is missing, short, or overrun by its view', async () => {
    const cases = [
      { storages: new Map<string, Uint8Array>(), view: { storageElements: 4, shape: [4], strides: [1] } },
      { storages: new Map([['0', float32Bytes([1, 2])]]), view: { storageElements: 4, shape: [4], strides: [1] } },
      {
        storages: new Map([['0', float32Bytes([1, 2, 3, 4])]]),
        view: { storageElements: 4, storageOffset: 2, shape: [2, 2], strides: [2, 1] },
      },
    ];
    for (const { storages, view } of cases) {
      const file = scratchFile();
      writeTorchCheckpoint(file, stateDictPickle([{ name: 'encoder.final_layer_norm.weight', key: '0', ...view }]), storages);
      await assert.rejects(
        readTorchBinFile(file),
        rejectsWith('MODEL_WEIGHTS_INVALID', { file, field: 'encoder.final_layer_norm.weight' }),
      );
    }
  });
});
