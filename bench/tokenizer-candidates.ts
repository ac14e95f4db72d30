// Compares the two Hugging Face tokenizer.json implementations we could serve decoder-only models with:
// `tokenizers` (their Rust library through napi; encode/decode return Promises) and `@huggingface/tokenizers`
// (their pure-JS port; synchronous). For every case of the causal fixtures (4 real vocabularies x 67
// strings, 5 tiny models x 42 strings) it checks ids, ids without special tokens, and the decodes (with
// transformers' clean_up_tokenization_spaces where tokenizer_config.json asks); then encode/decode speed,
// decode-call cost on the server's 2-4 token streaming windows, load time and memory per vocabulary
// (each load in a fresh child process).
// Usage: node --import tsx bench/tokenizer-candidates.ts [FIXTURES_DIR] (default test/fixtures/causal-tokenizers, the
// trimmed copies; the full reference set, laid out with a tokenizers/ folder, is read the same way)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { cleanUpTokenization } from '../src/tokenizer/index.js';

const REAL = ['qwen3', 'llama3', 'gemma3', 'gpt2'];
const TINY = ['llama-gqa', 'llama-tied-linear', 'mistral-swa', 'phi-tiny', 'gpt2-tiny'];

/** The two candidates behind one async shape (the JS port's sync results wrapped). */
interface Candidate {
  encode(text: string, addSpecial: boolean): Promise<number[]>;
  decode(ids: number[], skipSpecial: boolean): Promise<string>;
}

function readMaybeGz(dir: string, name: string): string | undefined {
  if (existsSync(join(dir, name))) return readFileSync(join(dir, name), 'utf8');
  if (existsSync(join(dir, `${name}.gz`))) return gunzipSync(readFileSync(join(dir, `${name}.gz`))).toString('utf8');
  return undefined;
}

function load(kind: string, dir: string): Candidate {
  const json = readMaybeGz(dir, 'tokenizer.json') ?? '';
  const configText = readMaybeGz(dir, 'tokenizer_config.json') ?? '{}';
  const config = JSON.parse(configText) as Record<string, unknown>;
  const clean = config['clean_up_tokenization_spaces'] !== false;
  if (kind === 'rust') {
    const tokenizer = RustTokenizer.fromString(json);
    return {
      encode: async (text, addSpecial) => (await tokenizer.encode(text, null, { addSpecialTokens: addSpecial })).getIds(),
      decode: async (ids, skip) => {
        const text = await tokenizer.decode(ids, skip);
        return clean ? cleanUpTokenization(text) : text;
      },
    };
  }
  const tokenizer = new JsTokenizer(JSON.parse(json) as object, config);
  return {
    encode: (text, addSpecial) => Promise.resolve(tokenizer.encode(text, { add_special_tokens: addSpecial }).ids),
    // The port throws on an empty id list where the Rust library returns ''.
    decode: (ids, skip) =>
      Promise.resolve(ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: clean })),
  };
}

interface Check {
  readonly field: string;
  readonly text: string;
  readonly ok: boolean;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

async function realChecks(c: Candidate, dir: string): Promise<Check[]> {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { cases: Record<string, unknown>[] };
  const checks: Check[] = [];
  for (const k of expected.cases) {
    const text = String(k['text']);
    const ids = await c.encode(text, true);
    const push = (field: string, got: unknown): void => {
      checks.push({ field, text, ok: same(got, k[field]) });
    };
    push('ids', ids);
    push('ids_no_special', await c.encode(text, false));
    // `decoded`/`decoded_skip_special` are the Rust decode without clean-up; the *_transformers ones with it.
    push('decoded_transformers', await c.decode(k['ids'] as number[], false));
    push('decoded_skip_special_transformers', await c.decode(k['ids'] as number[], true));
  }
  return checks;
}

async function tinyChecks(c: Candidate, dir: string): Promise<Check[]> {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { tokenization: Record<string, unknown>[] };
  const checks: Check[] = [];
  for (const k of expected.tokenization) {
    const text = String(k['text']);
    const rust = k['rust_tokenizer_json'] as Record<string, unknown>;
    const ids = k['input_ids'] as number[];
    checks.push({ field: 'input_ids', text, ok: same(await c.encode(text, true), ids) });
    checks.push({ field: 'input_ids_no_special', text, ok: same(await c.encode(text, false), k['input_ids_no_special']) });
    checks.push({ field: 'rust.decoded', text, ok: same(await c.decode(ids, false), rust['decoded']) });
    checks.push({ field: 'rust.decoded_skip_special', text, ok: same(await c.decode(ids, true), rust['decoded_skip_special']) });
  }
  return checks;
}

function summarise(label: string, checks: Check[]): string {
  const failed = checks.filter((check) => !check.ok);
  const byField = new Map<string, number>();
  for (const check of failed) byField.set(check.field, (byField.get(check.field) ?? 0) + 1);
  const detail = [...byField].map(([field, n]) => `${field} ${n}`).join(', ');
  const first = failed[0] === undefined ? '' : ` first: ${failed[0].field} ${JSON.stringify(failed[0].text.slice(0, 40))}`;
  return `${label}: ${checks.length - failed.length}/${checks.length} exact${detail ? ` (failed: ${detail})` : ''}${first}`;
}

async function speed(c: Candidate, dir: string): Promise<string> {
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { cases: { text: string }[] };
  const sample = expected.cases.map((k) => k.text).join('\n');
  const long = sample.repeat(Math.ceil(200_000 / sample.length));
  await c.encode(long, true);
  let start = performance.now();
  const ids = await c.encode(long, true);
  const encodeS = (performance.now() - start) / 1000;
  start = performance.now();
  await c.decode(ids, false);
  const decodeS = (performance.now() - start) / 1000;
  // The server decodes a sliding window of 2-4 ids per streamed token.
  const windows = 20_000;
  start = performance.now();
  for (let i = 0; i < windows; i += 1) await c.decode(ids.slice(i, i + 3), true);
  const windowUs = ((performance.now() - start) * 1000) / windows;
  return `encode ${(ids.length / encodeS / 1e6).toFixed(2)} M tok/s (${long.length} chars, ${ids.length} ids), decode ${(ids.length / decodeS / 1e6).toFixed(2)} M tok/s, 3-id window decode ${windowUs.toFixed(1)} us/call`;
}

function child(kind: string, dir: string): void {
  const before = process.memoryUsage().rss;
  const start = performance.now();
  // 'both' is what llm-deploy holds for a BPE tokenizer.json: the JS port (sync) and the Rust library (encodeAsync).
  const c = load(kind === 'both' ? 'js' : kind, dir);
  if (kind === 'both') load('rust', dir);
  const ms = performance.now() - start;
  void c.encode('warm up', true).then(() => {
    const rss = process.memoryUsage().rss;
    process.stdout.write(JSON.stringify({ ms, rssMiB: (rss - before) / 2 ** 20, totalMiB: rss / 2 ** 20 }));
  });
}

function loadFigures(kind: string, dir: string): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, dir], { encoding: 'utf8' });
  const loaded = JSON.parse(run.stdout || '{}') as { ms?: number; rssMiB?: number };
  return `${loaded.ms?.toFixed(0)} ms, +${loaded.rssMiB?.toFixed(0)} MiB RSS (gunzip + parse + build)`;
}

async function main(): Promise<void> {
  const [, , first, second, third] = process.argv;
  if (first === '--child' && second !== undefined && third !== undefined) return child(second, third);
  const root = resolve(first ?? fileURLToPath(new URL('../test/fixtures/causal-tokenizers', import.meta.url)));
  const real = existsSync(join(root, 'tokenizers')) ? join(root, 'tokenizers') : root;
  for (const kind of ['rust', 'js']) {
    console.log(`== ${kind === 'rust' ? 'tokenizers@0.23.2 (Rust, napi)' : '@huggingface/tokenizers@0.2.0 (pure JS)'}`);
    const all: Check[] = [];
    for (const name of REAL) {
      const checks = await realChecks(load(kind, join(real, name)), join(real, name));
      all.push(...checks);
      console.log(`  ${summarise(name, checks)}`);
    }
    for (const name of TINY) {
      const checks = await tinyChecks(load(kind, join(root, name)), join(root, name));
      all.push(...checks);
      console.log(`  ${summarise(name, checks)}`);
    }
    console.log(`  ${summarise('all', all)}`);
    for (const name of ['llama3', 'qwen3', 'gemma3']) {
      const dir = join(real, name);
      console.log(`  speed ${name}: ${await speed(load(kind, dir), dir)}`);
      console.log(`  load ${name}: ${loadFigures(kind, dir)}`);
    }
  }
  for (const name of ['llama3', 'qwen3', 'gemma3']) console.log(`both loaded, ${name}: ${loadFigures('both', join(real, name))}`);
}

await main();
