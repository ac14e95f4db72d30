import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { LlmDeployError } from '../config/index.js';
import { unpickleStateDict } from './pickle-machine.js';
import { readT5Config } from './t5-config.js';
import { openWeights } from './weight-store.js';

// Property tests: whatever the damage, opening a checkpoint either works or fails with an LlmDeployError.
const fixture = new URL('../../test/fixtures/t5-tiny-relu/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-corrupt-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const config = await readT5Config(fixture);
const RUNS = 60;
// The opcodes the machine accepts, so random streams get past the first byte.
const PICKLE_OPCODES = [
  0x28, 0x29, 0x2e, 0x30, 0x31, 0x32, 0x4a, 0x4b, 0x4d, 0x4e, 0x51, 0x52, 0x58, 0x5d, 0x61, 0x62, 0x65, 0x68, 0x71, 0x73, 0x74, 0x75, 0x7d,
  0x85, 0x86, 0x87, 0x88, 0x89, 0x8c, 0x93, 0x94,
];

let counter = 0;
async function openDamaged(fileName: string, bytes: Uint8Array): Promise<unknown> {
  const dir = join(scratch, `case-${(counter += 1)}`);
  mkdirSync(dir);
  copyFileSync(join(fixture, 'config.json'), join(dir, 'config.json'));
  writeFileSync(join(dir, fileName), bytes);
  try {
    const store = await openWeights(dir, config);
    for (const name of store.names()) store.read(name);
    store.close();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertOurError(error: unknown): void {
  if (error === undefined) return;
  assert.ok(LlmDeployError.isInstance(error), `not an LlmDeployError: ${String(error)}`);
  assert.match(error.code, /^MODEL_/);
}

/** Byte flips at positions drawn from the structural parts of a file (its first and last `span` bytes). */
function damage(original: Buffer, span: number): fc.Arbitrary<Buffer> {
  const position = fc.oneof(
    fc.integer({ min: 0, max: span - 1 }),
    fc.integer({ min: original.byteLength - span, max: original.byteLength - 1 }),
  );
  return fc.array(fc.tuple(position, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }).map((flips) => {
    const copy = Buffer.from(original);
    for (const [at, value] of flips) copy[at] = value;
    return copy;
  });
}

describe('damaged checkpoints fail with LlmDeployError, never a crash', () => {
  const safetensors = readFileSync(join(fixture, 'model.safetensors'));
  const bin = readFileSync(join(fixture, 'pytorch_model.bin'));

  it('safetensors with flipped header bytes', async () => {
    const headerBytes = 8 + Number(safetensors.readBigUInt64LE(0));
    await fc.assert(
      fc.asyncProperty(damage(safetensors, headerBytes), async (bytes) => assertOurError(await openDamaged('model.safetensors', bytes))),
      { numRuns: RUNS },
    );
  });

  it('pytorch_model.bin with flipped pickle or zip directory bytes', async () => {
    await fc.assert(
      fc.asyncProperty(damage(bin, 6000), async (bytes) => assertOurError(await openDamaged('pytorch_model.bin', bytes))),
      { numRuns: RUNS },
    );
  });

  it('weight files cut at any length', async () => {
    const cut = fc.tuple(fc.constantFrom('model.safetensors', 'pytorch_model.bin'), fc.double({ min: 0, max: 1, noNaN: true }));
    await fc.assert(
      fc.asyncProperty(cut, async ([name, fraction]) => {
        const whole = name === 'model.safetensors' ? safetensors : bin;
        const error = await openDamaged(name, whole.subarray(0, Math.floor(whole.byteLength * fraction * 0.999)));
        assert.ok(error !== undefined, 'a truncated file must not open');
        assertOurError(error);
      }),
      { numRuns: RUNS },
    );
  });

  it('random pickle streams', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...PICKLE_OPCODES), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }), (bytes) => {
        try {
          unpickleStateDict(Uint8Array.from([0x80, 0x02, ...bytes]), 'data.pkl');
        } catch (error) {
          assertOurError(error);
        }
      }),
      { numRuns: RUNS * 10 },
    );
  });
});
