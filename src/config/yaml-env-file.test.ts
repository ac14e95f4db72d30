import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigInvalidError } from './config-error.js';
import { loadSettingsFile } from './load.js';
import { isYamlEnvFile, parseYamlEnvFile } from './yaml-env-file.js';

async function loadYaml(text: string, name = 'cluster_config.yml'): ReturnType<typeof loadSettingsFile> {
  const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-yaml-'));
  try {
    const path = join(dir, name);
    await writeFile(path, text);
    return await loadSettingsFile(path, { mode: 'deployment', env: {} });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('YAML env files (gcloud --env-vars-file form)', () => {
  it('a flat mapping is the deployment spec; numbers and booleans become their string form', async () => {
    const loaded = await loadYaml(
      '# cluster config\nGPU_COUNT_PER_MODEL: 2\nMODEL_SOURCE_PATH: "gs://my-bucket/models/flan-t5-base"\nUSE_FASTER_TRANSFORMER: false\nEXISTING_CLUSTER_ID:\n',
    );
    assert.equal(loaded.settings.gpuCountPerModel, 2);
    assert.equal(loaded.settings.modelSource, 'gs://my-bucket/models/flan-t5-base');
    assert.equal(loaded.settings.useFasterTransformer, false);
    assert.equal(loaded.settings.existingClusterId, undefined);
    const source = loaded.sources.get('GPU_COUNT_PER_MODEL')?.source;
    assert.deepEqual(source, { kind: 'file', file: source?.kind === 'file' ? source.file : '', line: 2 });
  });

  it('the .yaml extension too, any case; other names stay Docker syntax', () => {
    assert.equal(isYamlEnvFile('a/cluster_config.yml'), true);
    assert.equal(isYamlEnvFile('B.YAML'), true);
    assert.equal(isYamlEnvFile('prod.env'), false);
    assert.equal(isYamlEnvFile('yml'), false);
  });

  for (const { name, text, line, key } of [
    { name: 'a nested mapping', text: 'GPU_COUNT_PER_MODEL: 1\nMODEL_SOURCE_PATH:\n  bucket: b\n', line: 2, key: 'MODEL_SOURCE_PATH' },
    { name: 'a list', text: 'GPU_COUNT_PER_MODEL: 1\nMODEL_SOURCE_PATH: [a, b]\n', line: 2, key: 'MODEL_SOURCE_PATH' },
    {
      name: 'a duplicate key',
      text: 'GPU_COUNT_PER_MODEL: 1\nMODEL_SOURCE_PATH: gs://b/m\nGPU_COUNT_PER_MODEL: 2\n',
      line: 3,
      key: '(yaml)',
    },
    { name: 'a document that is not a mapping', text: '\n- GPU_COUNT_PER_MODEL=1\n', line: 2, key: '(document)' },
    { name: 'broken YAML', text: 'GPU_COUNT_PER_MODEL: 1\nMODEL_SOURCE_PATH: gs://b/m: x\n', line: 2, key: '(yaml)' },
  ]) {
    it(`${name} is an error naming its line`, async () => {
      const parsed = parseYamlEnvFile(text, { file: 'c.yml' });
      const problem = parsed.problems[0];
      assert.equal(problem?.severity, 'error', JSON.stringify(parsed.problems));
      assert.equal(problem.line, line);
      assert.equal(problem.key, key);
      await assert.rejects(loadYaml(text), (error: unknown) => {
        assert.ok(error instanceof ConfigInvalidError);
        assert.match(error.message, new RegExp(`cluster_config\\.yml:${line}: `));
        return true;
      });
    });
  }
});
