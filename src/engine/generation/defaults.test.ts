import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readGenerationConfig, readT5Config } from '../../model/index.js';
import { paramsFromGenerationConfig } from './defaults.js';

test('a fixture generation_config.json gives HF defaults: max_length 20 = 19 new tokens', async () => {
  const dir = new URL('../../../test/fixtures/t5-tiny-relu/', import.meta.url).pathname;
  const params = paramsFromGenerationConfig(await readGenerationConfig(dir, await readT5Config(dir)));
  assert.equal(params.maxNewTokens, 19);
  assert.equal(params.numBeams, 1);
  assert.equal(params.earlyStopping, false);
});

test('max_new_tokens wins over max_length; min_length counts the decoder start token', async () => {
  const dir = new URL('../../../test/fixtures/t5-tiny-relu/', import.meta.url).pathname;
  const base = await readGenerationConfig(dir, await readT5Config(dir));
  const params = paramsFromGenerationConfig({ ...base, maxLength: 50, maxNewTokens: 7, minLength: 4, minNewTokens: 2 });
  assert.equal(params.maxNewTokens, 7);
  assert.equal(params.minNewTokens, 3);
});
