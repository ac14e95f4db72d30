// `llm-deploy tokenize` on decoder-only model directories: a child process per family, ids and decodes as
// Hugging Face gives them (the fixtures' expected.json).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'test', 'fixtures', 'causal-tokenizers');

const ids = z.array(z.number().int());
const tinySchema = z.object({
  tokenization: z.array(
    z.object({ text: z.string(), input_ids: ids, rust_tokenizer_json: z.object({ decoded_skip_special: z.string() }) }),
  ),
});
const realSchema = z.object({
  cases: z.array(z.object({ text: z.string(), ids, decoded_skip_special_transformers: z.string() })),
});

interface Case {
  readonly text: string;
  readonly ids: number[];
  readonly decoded: string;
}

function tinyCases(name: string): Case[] {
  const json: unknown = JSON.parse(readFileSync(join(fixtures, name, 'expected.json'), 'utf8'));
  return tinySchema
    .parse(json)
    .tokenization.map((c) => ({ text: c.text, ids: c.input_ids, decoded: c.rust_tokenizer_json.decoded_skip_special }));
}

function realCases(name: string): Case[] {
  const json: unknown = JSON.parse(readFileSync(join(fixtures, name, 'expected.json'), 'utf8'));
  return realSchema.parse(json).cases.map((c) => ({ text: c.text, ids: c.ids, decoded: c.decoded_skip_special_transformers }));
}

function runCli(args: readonly string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'llm-deploy.js'), 'tokenize', ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const jsonLines = (values: readonly unknown[]): string => values.map((value) => `${JSON.stringify(value)}\n`).join('');

async function assertFamily(model: string, cases: readonly Case[]): Promise<void> {
  const encoded = await runCli(['--model', model], jsonLines(cases.map((c) => c.text)));
  assert.equal(encoded.code, 0, encoded.stderr);
  assert.deepEqual(
    encoded.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown),
    cases.map((c) => c.ids),
  );
  const decoded = await runCli(['--model', model, '--decode'], jsonLines(cases.map((c) => c.ids)));
  assert.equal(decoded.code, 0, decoded.stderr);
  assert.deepEqual(
    decoded.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown),
    cases.map((c) => c.decoded),
  );
}

describe('llm-deploy tokenize on decoder-only models', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'llm-deploy-cli-tokenize-causal-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const name of ['llama-gqa', 'mistral-swa', 'phi-tiny', 'gpt2-tiny']) {
    it(`${name}: every case encodes and decodes as Hugging Face does`, { timeout: 120_000 }, async () => {
      await assertFamily(join(fixtures, name), tinyCases(name));
    });
  }

  it('qwen3 (real vocabulary, tokenizer.json only): every case', { timeout: 180_000 }, async () => {
    const dir = join(scratch, 'qwen3');
    mkdirSync(dir);
    writeFileSync(join(dir, 'tokenizer.json'), gunzipSync(readFileSync(join(fixtures, 'qwen3', 'tokenizer.json.gz'))));
    writeFileSync(join(dir, 'tokenizer_config.json'), readFileSync(join(fixtures, 'qwen3', 'tokenizer_config.json')));
    await assertFamily(dir, realCases('qwen3'));
  });
});
