import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { causalConfigFrom } from './causal-config.js';

const LLAMA = { model_type: 'llama', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 2 };

function refusal(value: unknown): { code?: unknown; field?: unknown } {
  try {
    causalConfigFrom(value, 'config.json');
  } catch (error) {
    assert.ok(error instanceof Error);
    return { code: 'code' in error ? error.code : undefined, field: 'field' in error ? error.field : undefined };
  }
  assert.fail('expected a refusal');
}

describe('decoder-only config.json', () => {
  it("fills transformers 4.36's LlamaConfig and MistralConfig defaults", () => {
    const llama = causalConfigFrom(LLAMA, 'config.json');
    assert.equal(llama.numKvHeads, 4);
    assert.equal(llama.headDim, 16);
    assert.equal(llama.ropeTheta, 10000);
    assert.equal(llama.slidingWindow, undefined);
    assert.deepEqual([llama.eosTokenIds, llama.padTokenId, llama.bosTokenId], [[2], 2, 1]);
    const mistral = causalConfigFrom({ ...LLAMA, model_type: 'mistral', num_attention_heads: 8 }, 'config.json');
    assert.deepEqual([mistral.numKvHeads, mistral.slidingWindow, mistral.maxPositionEmbeddings], [8, 4096, 131072]);
    assert.equal(
      causalConfigFrom({ ...LLAMA, model_type: 'mistral', num_attention_heads: 8, sliding_window: null }, 'config.json').slidingWindow,
      undefined,
    );
  });

  it('reads rope_scaling under its 4.36 keys and the newer rope_type, and eos lists', () => {
    const old = causalConfigFrom({ ...LLAMA, rope_scaling: { type: 'linear', factor: 2 } }, 'config.json');
    const newer = causalConfigFrom({ ...LLAMA, rope_scaling: { rope_type: 'dynamic', factor: 4 } }, 'config.json');
    assert.deepEqual(
      [old.ropeScaling, newer.ropeScaling],
      [
        { kind: 'linear', factor: 2 },
        { kind: 'dynamic', factor: 4 },
      ],
    );
    const listed = causalConfigFrom({ ...LLAMA, eos_token_id: [128001, 128009], pad_token_id: 0 }, 'config.json');
    assert.deepEqual([listed.eosTokenId, listed.eosTokenIds, listed.padTokenId], [128001, [128001, 128009], 0]);
  });

  it('refuses what it cannot run, naming the field', () => {
    assert.deepEqual(refusal({ ...LLAMA, rope_scaling: { type: 'yarn', factor: 4 } }).field, 'rope_scaling');
    assert.deepEqual(refusal({ ...LLAMA, num_key_value_heads: 3 }).field, 'num_key_value_heads');
    assert.deepEqual(refusal({ ...LLAMA, hidden_act: 'gelu' }).field, 'hidden_act');
    assert.deepEqual(refusal({ ...LLAMA, model_type: 'bert' }).code, 'MODEL_UNSUPPORTED');
  });
});
