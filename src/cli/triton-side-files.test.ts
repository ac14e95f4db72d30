import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TRITON_SIDE_FILES } from './triton-side-files.js';

describe('the side files a server without weights downloads', () => {
  it('keeps the tokenizer, configs and chat template at any depth, never a weight shard', () => {
    for (const name of [
      'spiece.model',
      'tokenizer.json',
      'x/config.json',
      'generation_config.json',
      'chat_template.jinja',
      'tokenizer_config.json',
    ])
      assert.equal(TRITON_SIDE_FILES.keep(name), true, name);
    for (const name of ['model.safetensors', 'model-00001-of-00002.safetensors', 'pytorch_model.bin', '1/2-gpu/shared.weight_T.bin'])
      assert.equal(TRITON_SIDE_FILES.keep(name), false, name);
  });
});
