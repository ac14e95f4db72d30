import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { writeSafetensors, type SafetensorsTensorInput } from '../model/index.js';
import type { Backend } from './backend.js';
import { loadNativeBackend } from './native-backend.js';
import { causalFixtureDir, readCausalExpected, type CausalCase } from './runtime/__fixtures__/causal-expected.js';

const entrySchema = z.object({
  dtype: z.literal('F32'),
  shape: z.array(z.number().int()),
  data_offsets: z.tuple([z.number(), z.number()]),
});

/** The float32 tensors of a safetensors file (the fixtures' format), read independently of the model module. */
async function readF32Tensors(file: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const bytes = await readFile(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = z.record(z.string(), z.unknown()).parse(JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')));
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = entrySchema.parse(value);
    const [start, end] = entry.data_offsets;
    const copy = new Uint8Array(bytes.subarray(8 + headerLength + start, 8 + headerLength + end));
    tensors.set(name, { shape: entry.shape, data: new Float32Array(copy.buffer) });
  }
  return tensors;
}

const GREEDY = { maxNewTokens: 20, numBeams: 1, doSample: false } as const;
const BEAM = { maxNewTokens: 20, numBeams: 4, lengthPenalty: 1, earlyStopping: false } as const;

describe('Phi in the q_proj/k_proj/v_proj layout of transformers >= 4.37', () => {
  let backend: Backend;
  let cases: readonly CausalCase[];
  let dir: string;
  before(async () => {
    const source = causalFixtureDir('phi-tiny');
    dir = await mkdtemp(join(tmpdir(), 'llm-deploy-phi-split-'));
    for (const file of ['config.json', 'generation_config.json']) await copyFile(join(source, file), join(dir, file));
    const tensors = new Map<string, SafetensorsTensorInput>();
    const config = z
      .object({ num_attention_heads: z.number(), hidden_size: z.number() })
      .parse(JSON.parse(await readFile(join(source, 'config.json'), 'utf8')));
    const heads = config.num_attention_heads;
    const headDim = config.hidden_size / heads;
    for (const [name, tensor] of await readF32Tensors(join(source, 'model.safetensors'))) {
      const fused = /^(.*)\.query_key_value\.(weight|bias)$/.exec(name);
      if (fused === null) {
        tensors.set(name, { dtype: 'F32', shape: tensor.shape, data: tensor.data });
        continue;
      }
      // The fixture README: W.view(H, 3, hd, D)[:, i].reshape(H * hd, D), biases likewise.
      const width = tensor.shape[1] ?? 1;
      ['q_proj', 'k_proj', 'v_proj'].forEach((part, i) => {
        const data = new Float32Array(heads * headDim * width);
        for (let head = 0; head < heads; head++) {
          const from = (head * 3 + i) * headDim * width;
          data.set(tensor.data.subarray(from, from + headDim * width), head * headDim * width);
        }
        const shape = tensor.shape.length === 2 ? [heads * headDim, width] : [heads * headDim];
        tensors.set(`${fused[1] ?? ''}.${part}.${fused[2] ?? ''}`, { dtype: 'F32', shape, data });
      });
    }
    await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
    backend = await loadNativeBackend({ modelDir: dir, warmUp: false });
    cases = (await readCausalExpected('phi-tiny')).cases;
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('gives the reference greedy and beam outputs of every case', async () => {
    for (const [index, expected] of cases.entries()) {
      const greedy = await backend.generate({ inputIds: expected.input_ids, params: GREEDY });
      assert.deepEqual(greedy.sequences[0]?.tokenIds, expected.greedy.new_tokens, `case ${index}: greedy`);
      const beam = await backend.generate({ inputIds: expected.input_ids, params: BEAM });
      assert.deepEqual(beam.sequences[0]?.tokenIds, expected.beam.new_tokens, `case ${index}: beam`);
    }
  });
});

describe('GPT-2 learned positions', () => {
  let backend: Backend;
  before(async () => {
    backend = await loadNativeBackend({ modelDir: causalFixtureDir('gpt2-tiny'), warmUp: false });
  });
  after(() => backend.close());

  test('a prompt plus max_new_tokens past n_positions is refused with a 400 before any work', async () => {
    const prompt = new Array<number>(250).fill(100);
    await assert.rejects(backend.generate({ inputIds: prompt, params: { ...GREEDY, maxNewTokens: 10 } }), (error: unknown) => {
      assert.ok(error instanceof Error && 'httpStatus' in error && error.httpStatus === 400, String(error));
      assert.ok('code' in error && error.code === 'ENGINE_INPUT_INVALID');
      return true;
    });
    const fits = await backend.generate({ inputIds: prompt, params: { ...GREEDY, maxNewTokens: 6 } });
    assert.ok(fits.sequences[0] !== undefined && fits.sequences[0].tokenIds.length <= 6);
  });
});

test('GPT-2 from its pytorch_model.bin alone gives the reference greedy outputs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'llm-deploy-gpt2-bin-'));
  try {
    for (const file of ['config.json', 'generation_config.json', 'pytorch_model.bin'])
      await copyFile(join(causalFixtureDir('gpt2-tiny'), file), join(dir, file));
    const backend = await loadNativeBackend({ modelDir: dir, warmUp: false });
    try {
      for (const expected of (await readCausalExpected('gpt2-tiny')).cases) {
        const result = await backend.generate({ inputIds: expected.input_ids, params: GREEDY });
        assert.deepEqual(result.sequences[0]?.tokenIds, expected.greedy.new_tokens);
      }
    } finally {
      await backend.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
