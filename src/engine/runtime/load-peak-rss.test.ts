import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { expectedT5Tensors, readT5Config, writeSafetensors } from '../../model/index.js';
import type { FloatDtype, SafetensorsTensorInput } from '../../model/index.js';

const CHILD = fileURLToPath(new URL('./__fixtures__/load-peak-rss-child.ts', import.meta.url));

/** t5-base width with 6+6 layers: 117M parameters, 468 MB of float32, so Node's and onnxruntime's ~130 MiB do not dominate. */
const CONFIG_JSON = {
  model_type: 't5',
  vocab_size: 32128,
  d_model: 768,
  d_kv: 64,
  d_ff: 3072,
  num_heads: 12,
  num_layers: 6,
  num_decoder_layers: 6,
  feed_forward_proj: 'relu',
  tie_word_embeddings: true,
  decoder_start_token_id: 0,
  eos_token_id: 1,
  pad_token_id: 0,
};

interface ChildReport {
  readonly baselineRssBytes: number;
  readonly loadedRssBytes: number;
  readonly peakRssBytes: number;
  readonly generatedTokens: number;
}

// The values do not matter for memory, only that every page is written: small per-tensor constants (norm weights 1).
async function writeCheckpoint(dir: string, dtype: FloatDtype): Promise<number> {
  await writeFile(join(dir, 'config.json'), JSON.stringify(CONFIG_JSON));
  const tensors = new Map<string, SafetensorsTensorInput>();
  let parameters = 0;
  for (const [index, [name, shape]] of [...expectedT5Tensors(await readT5Config(dir))].entries()) {
    const count = shape.reduce((product, size) => product * size, 1);
    parameters += count;
    const value = shape.length === 1 ? 1 : 0.001 * ((index % 7) + 1);
    tensors.set(name, { dtype, shape, data: () => new Float32Array(count).fill(value) });
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  return parameters * 4;
}

async function loadInChild(dir: string): Promise<ChildReport> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CHILD, dir], { maxBuffer: 2 ** 20 });
  return JSON.parse(stdout.trim()) as ChildReport;
}

function ratios(report: ChildReport, float32Bytes: number): { total: number; added: number } {
  return { total: report.peakRssBytes / float32Bytes, added: (report.peakRssBytes - report.baselineRssBytes) / float32Bytes };
}

describe('peak RSS of loading and serving a T5 checkpoint (child process, /proc/self/status VmHWM)', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'llm-deploy-peak-rss-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('an F32 checkpoint peaks at <= 1.5x its weights, the process baseline included', async (t) => {
    const dir = join(scratch, 'f32');
    await mkdir(dir);
    const float32Bytes = await writeCheckpoint(dir, 'F32');
    const report = await loadInChild(dir);
    const ratio = ratios(report, float32Bytes);
    t.diagnostic(
      `F32: peak ${ratio.total.toFixed(2)}x the weights, ${ratio.added.toFixed(2)}x without the ${report.baselineRssBytes >> 20} MiB baseline`,
    );
    assert.equal(report.generatedTokens, 32);
    assert.ok(ratio.total <= 1.5, `peak RSS ${report.peakRssBytes >> 20} MiB for ${float32Bytes >> 20} MiB of weights`);
  });

  it('a BF16 checkpoint loads without a float32 copy in JavaScript: peak - baseline <= 1.5x the float32 weights', async (t) => {
    const dir = join(scratch, 'bf16');
    await mkdir(dir);
    const float32Bytes = await writeCheckpoint(dir, 'BF16');
    const report = await loadInChild(dir);
    const ratio = ratios(report, float32Bytes);
    t.diagnostic(`BF16: peak ${ratio.total.toFixed(2)}x the float32 weights, ${ratio.added.toFixed(2)}x without the baseline`);
    assert.equal(report.generatedTokens, 32);
    assert.ok(ratio.added <= 1.5, `peak RSS ${report.peakRssBytes >> 20} MiB for ${float32Bytes >> 20} MiB of float32 weights`);
  });
});
