// Peak memory of loading a T5 checkpoint the way the engine does: open the safetensors file,
// read every tensor one at a time into float32 and keep them all. Reports peak RSS against the
// float32 weight bytes (target: <= 1.3x). Writes a ~223M-parameter t5-base-shaped checkpoint of
// random values to a temporary directory first, then loads it in a fresh child process.
// Usage: node --import tsx bench/model-load-rss.ts [--json] [--keep]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectedT5Tensors, openWeights, readT5Config, writeSafetensors } from '../src/model/index.js';
import type { SafetensorsTensorInput } from '../src/model/index.js';

/** t5-base shapes (223M parameters, tied embeddings). */
const CONFIG_JSON = {
  model_type: 't5',
  vocab_size: 32128,
  d_model: 768,
  d_kv: 64,
  d_ff: 3072,
  num_heads: 12,
  num_layers: 12,
  num_decoder_layers: 12,
  feed_forward_proj: 'relu',
  tie_word_embeddings: true,
  decoder_start_token_id: 0,
  eos_token_id: 1,
  pad_token_id: 0,
};

interface ChildReport {
  readonly tensors: number;
  readonly parameters: number;
  readonly float32Bytes: number;
  readonly peakRssBytes: number;
  readonly rssBeforeOpenBytes: number;
  readonly loadSeconds: number;
}

// xorshift32 values in [-0.5, 0.5): fast and deterministic; the values do not matter, only the bytes.
function randomValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed | 1;
  for (let index = 0; index < count; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[index] = (state >>> 0) / 4294967296 - 0.5;
  }
  return values;
}

async function writeCheckpoint(dir: string): Promise<void> {
  writeFileSync(join(dir, 'config.json'), JSON.stringify(CONFIG_JSON));
  const config = await readT5Config(dir);
  const tensors = new Map<string, SafetensorsTensorInput>();
  let seed = 1;
  for (const [name, shape] of expectedT5Tensors(config)) {
    const count = shape.reduce((product, size) => product * size, 1);
    const tensorSeed = (seed += 1);
    tensors.set(name, { dtype: 'F32', shape, data: () => randomValues(count, tensorSeed) });
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
}

async function child(dir: string): Promise<void> {
  const rssBeforeOpenBytes = process.memoryUsage().rss;
  const started = performance.now();
  const config = await readT5Config(dir);
  const store = await openWeights(dir, config);
  const kept = new Map<string, Float32Array>();
  for (const name of store.names()) kept.set(name, store.read(name));
  store.close();
  const loadSeconds = (performance.now() - started) / 1000;
  const parameters = [...kept.values()].reduce((sum, values) => sum + values.length, 0);
  const report: ChildReport = {
    tensors: kept.size,
    parameters,
    float32Bytes: parameters * 4,
    // maxRSS is in kilobytes.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBeforeOpenBytes,
    loadSeconds,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childIndex = args.indexOf('--child');
  if (childIndex >= 0) return child(args[childIndex + 1] ?? '.');
  const dir = mkdtempSync(join(tmpdir(), 'llm-deploy-rss-'));
  try {
    const writeStarted = performance.now();
    await writeCheckpoint(dir);
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
    const report = JSON.parse(result.stdout.trim()) as ChildReport;
    const ratio = report.peakRssBytes / report.float32Bytes;
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
    const summary = { ...report, ratio, target: 1.3, pass: ratio <= 1.3, writeSeconds };
    if (args.includes('--json')) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      console.log(
        `model-load-rss: ${report.tensors} tensors, ${(report.parameters / 1e6).toFixed(1)}M parameters (t5-base shapes, safetensors F32)`,
      );
      console.log(`  float32 weights      ${mib(report.float32Bytes)} MiB`);
      console.log(`  RSS before loading   ${mib(report.rssBeforeOpenBytes)} MiB (node + tsx + modules)`);
      console.log(`  peak RSS             ${mib(report.peakRssBytes)} MiB`);
      console.log(`  peak RSS / weights   ${ratio.toFixed(3)}x (target <= 1.3x: ${ratio <= 1.3 ? 'met' : 'MISSED'})`);
      console.log(
        `  load time            ${report.loadSeconds.toFixed(2)} s (${(report.float32Bytes / 2 ** 30 / report.loadSeconds).toFixed(2)} GiB/s, file in page cache)`,
      );
    }
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
