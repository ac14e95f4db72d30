import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSafetensorsFile } from './safetensors-file.js';
import { writeSafetensors } from './safetensors-writer.js';
import { rejectsWith, readTensors } from './__fixtures__/rejects-with.js';

const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-writer-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const scratchFile = (): string => join(scratch, `case-${(counter += 1)}.safetensors`);

describe('writeSafetensors', () => {
  it('writes F32, F16 and BF16 and reads them back as float32', async () => {
    const file = scratchFile();
    // All values exactly representable in the target type, so the round trip is exact.
    const values = Float32Array.from([1, -2, 0.5, 65504, 2 ** -24, 0]);
    const brainValues = Float32Array.from([1, -3, 2 ** 100, -(2 ** -100)]);
    await writeSafetensors(
      file,
      {
        full: { dtype: 'F32', shape: [2, 3], data: values },
        half: { dtype: 'F16', shape: [6], data: values },
        brain: { dtype: 'BF16', shape: [2, 2], data: () => brainValues },
        rawHalf: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xfc00]) },
      },
      { format: 'pt' },
    );
    const header = readSafetensorsFile(file);
    assert.deepEqual(header.metadata, { format: 'pt' });
    assert.equal(readFileSync(file).readBigUInt64LE(0) % 8n, 0n);
    const tensors = readTensors(file);
    assert.deepEqual([...(tensors.get('full') ?? [])], [...values]);
    assert.deepEqual([...(tensors.get('half') ?? [])], [...values]);
    assert.deepEqual([...(tensors.get('brain') ?? [])], [...brainValues]);
    assert.deepEqual([...(tensors.get('rawHalf') ?? [])], [1, -Infinity]);
  });

  it('rounds to nearest even when writing F16 and BF16', async () => {
    const file = scratchFile();
    // 1 + 2^-11 lies halfway between the halves 1 and 1 + 2^-10: ties go to the even mantissa (1).
    // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 and 1 + 2^-9: the even one is 1 + 2^-9.
    const halves = Float32Array.from([1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000]);
    const brains = Float32Array.from([1 + 2 ** -8, 1 + 3 * 2 ** -8]);
    await writeSafetensors(file, { half: { dtype: 'F16', shape: [3], data: halves }, brain: { dtype: 'BF16', shape: [2], data: brains } });
    const tensors = readTensors(file);
    assert.deepEqual([...(tensors.get('half') ?? [])], [1, 1 + 2 ** -9, Infinity]);
    assert.deepEqual([...(tensors.get('brain') ?? [])], [1, 1 + 2 ** -6]);
  });

  it('refuses data that does not fit the shape when writing', async () => {
    await assert.rejects(
      writeSafetensors(scratchFile(), { bad: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }),
      rejectsWith('MODEL_WEIGHTS_INVALID', { field: 'bad' }),
    );
  });
});
