// The one top-level check of config.json and generation_config.json, as every config reader meets it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../config/index.js';
import { readBartConfig } from './bart-config.js';
import { readCausalConfig } from './causal-config.js';
import { readGenerationConfig } from './generation-config.js';
import { jsonObject, readConfigJson } from './json-file.js';
import { readT5Config } from './t5-config.js';

const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-json-object-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A model directory holding only `files` (name -> text). */
function directory(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(scratch, 'dir-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function notAnObject(file: string, name: string) {
  return (error: unknown): boolean =>
    error instanceof LlmDeployError &&
    error.code === 'MODEL_CONFIG_INVALID' &&
    error.file === file &&
    error.expected === 'an object' &&
    error.message.includes(`${file}: ${name} must hold a JSON object`);
}

describe('config.json must hold a JSON object', () => {
  it('every config reader (T5, BART, decoder-only) refuses an array, null or a scalar the same way', async () => {
    for (const text of ['[1, 2]', 'null', '"t5"', '7']) {
      const dir = directory({ 'config.json': text });
      const file = join(dir, 'config.json');
      for (const read of [readT5Config, readBartConfig, readCausalConfig, readConfigJson]) {
        await assert.rejects(read(dir), notAnObject(file, 'config.json'), `${read.name} on ${text}`);
      }
    }
  });

  it('generation_config.json is checked by the same rule, under its own name', async () => {
    const dir = directory({ 'generation_config.json': '[]' });
    const t5 = await readT5Config(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 't5-tiny-relu'));
    await assert.rejects(readGenerationConfig(dir, t5), notAnObject(join(dir, 'generation_config.json'), 'generation_config.json'));
  });

  it('an object comes back as a fresh record of its own keys', async () => {
    const given = { model_type: 't5', d_model: 8 };
    const record = jsonObject(given, 'config.json');
    assert.deepEqual(record, given);
    assert.notEqual(record, given);
    const dir = directory({ 'config.json': '{"model_type": "llama", "vocab_size": 3}' });
    assert.deepEqual(await readConfigJson(dir), { file: join(dir, 'config.json'), raw: { model_type: 'llama', vocab_size: 3 } });
  });
});
