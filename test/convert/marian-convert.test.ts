// `convert --to fastertransformer` on a Marian checkpoint: FasterTransformer's T5 layout has no Marian, so the
// conversion is refused before anything is written, with a 400 naming the model type.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { convertToFasterTransformer } from '../../src/convert/index.js';

const source = join(import.meta.dirname, '..', 'fixtures', 'seq2seq', 'marian-tiny');
const work = await mkdtemp(join(tmpdir(), 'llm-deploy-marian-convert-'));
after(() => rm(work, { recursive: true, force: true }));

describe('convert --to fastertransformer refuses Marian', () => {
  it('a 400 CONVERT_MODEL_UNSUPPORTED naming model_type "marian" and the T5 types it converts; nothing written', async () => {
    const destination = join(work, 'out');
    await assert.rejects(
      convertToFasterTransformer({ source, destination, tensorParallel: 1, cacheDir: join(work, 'cache') }),
      (error: unknown) =>
        LlmDeployError.isInstance(error) &&
        error.code === 'CONVERT_MODEL_UNSUPPORTED' &&
        error.httpStatus === 400 &&
        error.field === 'model_type' &&
        error.given === 'marian' &&
        (error.expected ?? '').includes('"t5", "mt5"'),
    );
    assert.deepEqual(await readdir(work), []);
  });
});
