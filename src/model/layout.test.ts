import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkCompletionMarker, detectModelLayout } from './layout.js';

describe('model layouts', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-layout-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const make = async (name: string, files: readonly string[]): Promise<string> => {
    const dir = join(work, name);
    for (const file of files) {
      await mkdir(join(dir, file, '..'), { recursive: true });
      await writeFile(join(dir, file), '{}');
    }
    await mkdir(dir, { recursive: true });
    return dir;
  };

  it('tells the layouts apart by their files', async () => {
    assert.equal(await detectModelLayout(await make('hf', ['config.json', 'model.safetensors'])), 'huggingface');
    assert.equal(await detectModelLayout(await make('onnx', ['config.json', 't5-graphs.json', 'encoder.onnx'])), 'onnx');
    assert.equal(await detectModelLayout(await make('ft-root', ['fastertransformer/config.pbtxt'])), 'fastertransformer');
    assert.equal(
      await detectModelLayout(await make('ft-model', ['config.ini', 'shared.weight_T.bin', 'config.json'])),
      'fastertransformer',
    );
    await assert.rejects(detectModelLayout(await make('empty', [])), { code: 'MODEL_FILE_MISSING' });
  });

  it('requires the completion marker only where llm-deploy wrote the directory', async () => {
    await checkCompletionMarker(await make('user', ['config.json']));
    await assert.rejects(checkCompletionMarker(await make('unfinished', ['llm-deploy.json'])), { code: 'MODEL_LAYOUT_INCOMPLETE' });
    await checkCompletionMarker(await make('finished', ['llm-deploy.json', '_LLM_DEPLOY_COMPLETE']));
  });
});
