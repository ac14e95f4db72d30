import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LlmDeployError } from '../../src/config/index.js';
import { convertToFasterTransformer, verifyFtWeights } from '../../src/convert/index.js';
import { openModelDirectory, openWeights, readT5Config, writeSafetensors } from '../../src/model/index.js';
import { COMPLETION_MARKER } from '../../src/storage/index.js';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const relu = join(fixtures, 't5-tiny-relu');

function hasCode(code: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(LlmDeployError.isInstance(error), String(error));
    assert.equal(error.code, code, error.message);
    return true;
  };
}

describe('convert --to fastertransformer refuses clearly', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-ft-errors-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const base = (): { cacheDir: string } => ({ cacheDir: join(work, 'cache') });

  it('a tensor-parallel size that does not divide num_heads (4)', async () => {
    await assert.rejects(
      convertToFasterTransformer({ ...base(), source: relu, destination: join(work, 'tp3'), tensorParallel: 3 }),
      hasCode('CONVERT_TENSOR_PARALLEL_INVALID'),
    );
  });

  it('a converted folder whose config.json claims 10^6 layers fails at once, naming num_layers', { timeout: 30_000 }, async () => {
    const destination = join(work, 'many-layers');
    const result = await convertToFasterTransformer({ ...base(), source: relu, destination, tensorParallel: 1 });
    const configFile = join(result.modelDir, 'config.json');
    const config: unknown = JSON.parse(await readFile(configFile, 'utf8'));
    assert.ok(typeof config === 'object' && config !== null);
    await writeFile(configFile, JSON.stringify({ ...config, num_layers: 1_000_000 }));
    const model = await openModelDirectory(destination);
    await assert.rejects(model.openWeights(), (error: unknown) => {
      assert.ok(hasCode('MODEL_CONFIG_INVALID')(error) && LlmDeployError.isInstance(error));
      assert.equal(error.field, 'num_layers');
      assert.equal(error.given, '1000000');
      return true;
    });
  });

  it('a destination that is not empty, unless forced', async () => {
    const destination = join(work, 'busy');
    await mkdir(destination, { recursive: true });
    await writeFile(join(destination, 'keep.txt'), 'x');
    await assert.rejects(
      convertToFasterTransformer({ ...base(), source: relu, destination, tensorParallel: 1 }),
      hasCode('CONVERT_DESTINATION_NOT_EMPTY'),
    );
    await convertToFasterTransformer({ ...base(), source: relu, destination, tensorParallel: 1, force: true });
    assert.equal((await openModelDirectory(destination)).layout, 'fastertransformer');
  });

  it('a model type other than t5', async () => {
    const source = join(work, 'bert');
    await mkdir(source, { recursive: true });
    await writeFile(join(source, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    await assert.rejects(
      convertToFasterTransformer({ ...base(), source, destination: join(work, 'bert-out'), tensorParallel: 1 }),
      hasCode('CONVERT_MODEL_UNSUPPORTED'),
    );
  });

  it('a decoder-only checkpoint (served as it is, never converted), with a 400', async () => {
    const source = join(fixtures, 'causal', 'llama-gqa');
    await assert.rejects(
      convertToFasterTransformer({ ...base(), source, destination: join(work, 'llama-out'), tensorParallel: 1 }),
      (error: unknown) => hasCode('CONVERT_MODEL_UNSUPPORTED')(error) && LlmDeployError.isInstance(error) && error.httpStatus === 400,
    );
  });

  it('a BART checkpoint, with a 400 naming the family and the model types it converts', async () => {
    const source = join(fixtures, 'seq2seq', 'bart-tiny');
    await assert.rejects(
      convertToFasterTransformer({ ...base(), source, destination: join(work, 'bart-out'), tensorParallel: 1 }),
      (error: unknown) =>
        hasCode('CONVERT_MODEL_UNSUPPORTED')(error) &&
        LlmDeployError.isInstance(error) &&
        error.httpStatus === 400 &&
        error.given === 'bart' &&
        (error.expected ?? '').includes('the t5 family') &&
        (error.expected ?? '').includes('"t5", "mt5"') &&
        (error.expected ?? '').includes('--to onnx'),
    );
  });

  it('a source that does not exist', async () => {
    await assert.rejects(
      convertToFasterTransformer({ ...base(), source: join(work, 'nowhere'), destination: join(work, 'x'), tensorParallel: 1 }),
      hasCode('CONVERT_SOURCE_UNREADABLE'),
    );
  });

  it('a checkpoint that lacks a tensor, leaving no destination behind', async () => {
    const source = join(work, 'partial');
    await cp(relu, source, { recursive: true });
    await rm(join(source, 'pytorch_model.bin'));
    const config = await readT5Config(relu);
    const store = await openWeights(relu, config);
    const tensors = new Map(
      store
        .names()
        .filter((name) => name !== 'decoder.block.1.layer.2.DenseReluDense.wo.weight')
        .map((name) => [name, { dtype: 'F32' as const, shape: store.shape(name), data: store.read(name) }]),
    );
    store.close();
    await writeSafetensors(join(source, 'model.safetensors'), tensors, { format: 'pt' });
    const destination = join(work, 'partial-out');
    await assert.rejects(
      convertToFasterTransformer({ ...base(), source, destination, tensorParallel: 1 }),
      hasCode('CONVERT_TENSOR_MISSING'),
    );
    await assert.rejects(readFile(join(destination, COMPLETION_MARKER)));
  });

  it('verification catches a truncated weight file, and a dtype that does not match the files', async () => {
    const destination = join(work, 'verify');
    await convertToFasterTransformer({ ...base(), source: relu, destination, tensorParallel: 2 });
    const modelDir = join(destination, 'fastertransformer', '1', '2-gpu');
    const config = await readT5Config(modelDir);
    // Tied relu model, 2 ranks: 2 shared + 12 norms + encoder 2x12 split + 2 bias + decoder 2x16 split + 2 bias.
    assert.equal(await verifyFtWeights(modelDir, config, { tensorParallel: 2, weightDtype: 'fp32' }), 74);
    await truncate(join(modelDir, 'decoder.block.1.layer.0.SelfAttention.qkv.weight.1.bin'), 100);
    await assert.rejects(verifyFtWeights(modelDir, config, { tensorParallel: 2, weightDtype: 'fp32' }), hasCode('CONVERT_VERIFY_FAILED'));
    await assert.rejects(verifyFtWeights(modelDir, config, { tensorParallel: 2, weightDtype: 'fp16' }), hasCode('CONVERT_VERIFY_FAILED'));
  });

  it('a layout llm-deploy wrote without its completion marker is refused by the reader', async () => {
    const destination = join(work, 'unmarked');
    await convertToFasterTransformer({ ...base(), source: relu, destination, tensorParallel: 1 });
    await rm(join(destination, COMPLETION_MARKER));
    await assert.rejects(openModelDirectory(destination), hasCode('MODEL_LAYOUT_INCOMPLETE'));
    const modelDir = join(destination, 'fastertransformer', '1', '1-gpu');
    assert.equal((await openModelDirectory(modelDir)).modelDir, modelDir);
    await rm(join(modelDir, COMPLETION_MARKER));
    await assert.rejects(openModelDirectory(modelDir), hasCode('MODEL_LAYOUT_INCOMPLETE'));
    assert.equal((await openModelDirectory(relu)).layout, 'huggingface', 'a user checkpoint needs no marker');
  });
});
