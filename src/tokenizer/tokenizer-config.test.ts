import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { fixtureDir } from './fixture-cases.test.js';
import { readTokenizerConfig } from './tokenizer-config.js';

describe('readTokenizerConfig', () => {
  it('reads the fixture config and fills HF defaults when keys or the file are absent', async () => {
    assert.deepEqual(await readTokenizerConfig(fixtureDir('t5-tiny-relu')), {
      legacy: true,
      cleanUpTokenizationSpaces: true,
      extraIds: 100,
    });
    const dir = mkdtempSync(join(tmpdir(), 'llm-deploy-tokenizer-config-'));
    assert.deepEqual(await readTokenizerConfig(dir), { legacy: true, cleanUpTokenizationSpaces: true, extraIds: 100 });
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ legacy: null, clean_up_tokenization_spaces: false, extra_ids: 0 }));
    assert.deepEqual(await readTokenizerConfig(dir), { legacy: true, cleanUpTokenizationSpaces: false, extraIds: 0 });
  });
  it('rejects a config that is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-deploy-tokenizer-config-'));
    writeFileSync(join(dir, 'tokenizer_config.json'), '{legacy: false');
    await assert.rejects(
      readTokenizerConfig(dir),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_CONFIG_INVALID',
    );
  });
});
