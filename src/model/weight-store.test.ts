import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectedT5Tensors } from './expected-tensors.js';
import { readT5Config } from './t5-config.js';
import { openWeights } from './weight-store.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;

async function safetensorsKeys(name: string): Promise<string[]> {
  const expected: unknown = JSON.parse(await readFile(join(fixtures, name, 'expected.json'), 'utf8'));
  assert.ok(typeof expected === 'object' && expected !== null && 'safetensors_keys' in expected);
  assert.ok(Array.isArray(expected.safetensors_keys));
  return expected.safetensors_keys.map(String);
}

describe('openWeights on the fixtures', () => {
  for (const name of ['t5-tiny-relu', 't5-tiny-gated']) {
    it(`${name}: canonical names are the HF safetensors keys, with the expected shapes`, async () => {
      const dir = join(fixtures, name);
      const config = await readT5Config(dir);
      const store = await openWeights(dir, config);
      try {
        const keys = await safetensorsKeys(name);
        assert.deepEqual([...store.names()].sort(), [...keys].sort());
        assert.deepEqual([...expectedT5Tensors(config).keys()].sort(), [...keys].sort());
        for (const [tensor, shape] of expectedT5Tensors(config)) {
          assert.deepEqual(store.shape(tensor), shape);
          const values = store.read(tensor);
          assert.equal(values.length, shape.reduce((product, size) => product * size, 1));
          assert.ok(values.every(Number.isFinite), `${tensor} holds finite values`);
        }
      } finally {
        store.close();
      }
    });
  }
});
