// `npm run bench [-- --json] [-- --models t5-small,t5-base] [-- --explore]`: the engine benchmark.
// Writes random-weight checkpoints of t5-small, t5-base and a 60M Llama shape to a temporary directory, measures
// memory bandwidth, then runs each (model, precision) case in a child process (its own peak RSS):
// batch-1 decode vs the bandwidth floor and vs a bare MatMul chain, concurrent requests through the
// native backend's continuous batcher, time to first token, int8 vs fp32 greedy agreement; then, on the t5-small
// checkpoint, the server-level load run (1 and 16 HTTP clients against `llm-deploy serve`; `--no-server` skips it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LlmDeployError } from '../src/config/index.js';
import { measureBandwidth } from './bandwidth.js';
import type { BandwidthReading } from './bandwidth.js';
import { BENCH_SHAPES, isCausalShape, writeBenchCheckpoint } from './checkpoint.js';
import { runCase } from './decode-case.js';
import { addT5Tokenizer, printServerLoad, runServerLoad } from './server-load.js';
import type { ServerLoadRun } from './server-load.js';
import type { CaseReport, CaseRequest } from './decode-case.js';
import { floorBandwidth, printTable } from './table.js';
import type { CaseResult } from './table.js';

const INPUT_TOKENS = 64;
const NEW_TOKENS = 64;
const CONCURRENCY = [1, 4, 16];
/** The checkpoint the server-level load run serves, its client counts and the requests each client sends. */
const SERVER_LOAD = { model: 't5-small', clients: [1, 16], rounds: 4, port: 5099 };

interface Variant {
  readonly label: string;
  readonly quantize: CaseRequest['quantize'];
  readonly threads: number;
  readonly fuseQkv: boolean;
  readonly int8Operator?: 'DynamicQuantizeMatMul' | 'MatMulNBits';
}

const VARIANTS: readonly Variant[] = [
  { label: 'fp32', quantize: 'none', threads: 0, fuseQkv: false },
  { label: 'int8', quantize: 'int8', threads: 0, fuseQkv: false },
];

const EXPLORE: readonly Variant[] = [
  { label: 'fp32 2 threads', quantize: 'none', threads: 2, fuseQkv: false },
  { label: 'fp32 fused QKV', quantize: 'none', threads: 0, fuseQkv: true },
  { label: 'int8 DQMM', quantize: 'int8', threads: 0, fuseQkv: false, int8Operator: 'DynamicQuantizeMatMul' },
];

function runChild(request: CaseRequest): CaseReport {
  const encoded = Buffer.from(JSON.stringify(request)).toString('base64');
  const result = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', encoded], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new LlmDeployError('benchmark case failed', { code: 'ENGINE_BENCH_FAILED', given: result.stderr.slice(-2000) });
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}') as CaseReport;
}

function option(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const child = option(args, '--child');
  if (child !== undefined) {
    const request = JSON.parse(Buffer.from(child, 'base64').toString('utf8')) as CaseRequest;
    process.stdout.write(`${JSON.stringify(await runCase(request))}\n`);
    return;
  }
  const models = (option(args, '--models') ?? BENCH_SHAPES.map((shape) => shape.name).join(',')).split(',');
  const variants = args.includes('--explore') ? [...VARIANTS, ...EXPLORE] : VARIANTS;
  const root = mkdtempSync(join(tmpdir(), 'llm-deploy-bench-'));
  const results: CaseResult[] = [];
  let bandwidth: readonly BandwidthReading[] = [];
  let serverLoad: ServerLoadRun[] = [];
  try {
    bandwidth = await measureBandwidth();
    for (const shape of BENCH_SHAPES.filter((candidate) => models.includes(candidate.name))) {
      const dir = join(root, shape.name);
      mkdirSync(dir);
      await writeBenchCheckpoint(dir, shape);
      // Fused QKV is a T5 graph option: the decoder-only graphs have no such variant.
      for (const variant of variants.filter((candidate) => !(candidate.fuseQkv && isCausalShape(shape.config)))) {
        const { label: _label, ...settings } = variant;
        const report = runChild({ dir, ...settings, concurrency: CONCURRENCY, inputTokens: INPUT_TOKENS, newTokens: NEW_TOKENS });
        results.push({ model: shape.name, variant: variant.label, report });
        if (!args.includes('--json')) process.stderr.write(`done: ${shape.name} ${variant.label}\n`);
      }
      if (shape.name === SERVER_LOAD.model && !args.includes('--no-server')) {
        addT5Tokenizer(dir);
        const { clients, rounds, port } = SERVER_LOAD;
        serverLoad = await runServerLoad({ modelDir: dir, clients, rounds, port, inputTokens: INPUT_TOKENS, newTokens: NEW_TOKENS });
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (args.includes('--json')) {
    process.stdout.write(
      `${JSON.stringify({ inputTokens: INPUT_TOKENS, newTokens: NEW_TOKENS, bandwidth, floorBandwidthGbPerSecond: floorBandwidth(bandwidth), results, serverLoad }, null, 2)}\n`,
    );
  } else {
    printTable({ bandwidth, results, inputTokens: INPUT_TOKENS, newTokens: NEW_TOKENS });
    printServerLoad(serverLoad, { inputTokens: INPUT_TOKENS, newTokens: NEW_TOKENS });
  }
}

await main();
