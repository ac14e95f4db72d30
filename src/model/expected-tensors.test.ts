import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectedT5Tensors } from './expected-tensors.js';
import { readT5Config } from './t5-config.js';

const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;

describe('expectedT5Tensors', () => {
  for (const name of ['t5-tiny-relu', 't5-tiny-gated']) {
    it(`lists exactly the tensors transformers saves for ${name}`, async () => {
      const expected: unknown = JSON.parse(await readFile(join(fixtures, name, 'expected.json'), 'utf8'));
      assert.ok(
        typeof expected === 'object' && expected !== null && 'safetensors_keys' in expected && Array.isArray(expected.safetensors_keys),
      );
      const tensors = expectedT5Tensors(await readT5Config(join(fixtures, name)));
      assert.deepEqual([...tensors.keys()].sort(), [...expected.safetensors_keys].sort());
    });
  }

  it('gives Linear weights as [out, in] and the relative bias as [buckets, heads]', async () => {
    const tensors = expectedT5Tensors(await readT5Config(join(fixtures, 't5-tiny-gated')));
    assert.deepEqual(tensors.get('encoder.block.0.layer.0.SelfAttention.q.weight'), [64, 64]);
    assert.deepEqual(tensors.get('decoder.block.1.layer.2.DenseReluDense.wi_1.weight'), [128, 64]);
    assert.deepEqual(tensors.get('decoder.block.1.layer.2.DenseReluDense.wo.weight'), [64, 128]);
    assert.deepEqual(tensors.get('decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight'), [32, 4]);
    assert.deepEqual(tensors.get('lm_head.weight'), [2104, 64]);
    assert.equal(tensors.has('decoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight'), false);
  });
});
