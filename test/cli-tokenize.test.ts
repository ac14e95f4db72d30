// `llm-deploy tokenize` as users run it: a child process, JSON lines on stdin, exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { main } from '../src/cli/main.js';
import { loadTokenizer } from '../src/tokenizer/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'test', 'fixtures');

const caseSchema = z.object({ text: z.string(), input_ids: z.array(z.number()), decoded_skip_special: z.string() });
const cases = z
  .object({ tokenization: z.array(caseSchema) })
  .parse(JSON.parse(readFileSync(join(fixtures, 't5-tiny-relu', 'expected.json'), 'utf8'))).tokenization;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], stdin: string): Promise<Run> {
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

/** A directory with only tokenizer.json and the configs of the 32k vocabulary: no spiece.model, no weights. */
function tokenizerJsonOnlyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-deploy-cli-tokenize-'));
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'config.json']) {
    copyFileSync(join(fixtures, 't5-vocab-32k', file), join(dir, file));
  }
  return dir;
}

describe('llm-deploy tokenize', () => {
  const model = join(fixtures, 't5-tiny-relu');
  const texts = cases.map((c) => c.text);
  // The child processes start together (each pays the CLI start-up); every test awaits its own.
  const encoded = runCli(['--model', model], jsonLines(texts));
  const decoded = runCli(['--model', pathToFileURL(model).href, '--decode'], jsonLines(cases.map((c) => c.input_ids)));
  const fromJsonOnly = runCli(['--model', tokenizerJsonOnlyDir()], jsonLines(texts));
  const badLine = runCli(['--model', model], `"fine"\n"also fine"\nnot json\n"never reached"\n`);
  const outputLines = (run: Run): unknown[] =>
    run.stdout
      .trimEnd()
      .split('\n')
      .map((line): unknown => JSON.parse(line));

  it('encodes every fixture case in one run, as HF does', async () => {
    const run = await encoded;
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      outputLines(run),
      cases.map((c) => c.input_ids),
    );
  });

  it('decodes every fixture case in one run (file:// model, special tokens skipped)', async () => {
    const run = await decoded;
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      outputLines(run),
      cases.map((c) => c.decoded_skip_special),
    );
  });

  it('reads a tokenizer.json-only directory and agrees with SentencePiece on spiece.model', async () => {
    const [run, reference] = await Promise.all([fromJsonOnly, loadTokenizer(join(fixtures, 't5-vocab-32k'), { source: 'spiece.model' })]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      outputLines(run),
      texts.map((text) => reference.encode(text)),
    );
  });

  it('stops at a bad line with its number and exit code 2', async () => {
    const run = await badLine;
    assert.equal(run.code, 2);
    assert.equal(run.stdout.trimEnd().split('\n').length, 2);
    assert.match(run.stderr, /stdin:3: .*not json.*JSON string/u);
  });
});

/** Runs `main` in this process (cheaper than a child) with the given stdin. */
async function runInProcess(args: readonly string[], stdin: string, env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        append(chunk.toString('utf8'));
        callback();
      },
    });
  const code = await main(['node', 'llm-deploy', 'tokenize', ...args], {
    stdin: Readable.from([stdin]),
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    env,
  });
  return { code, stdout, stderr };
}

describe('llm-deploy tokenize errors', () => {
  const model = join(fixtures, 't5-tiny-relu');

  it('accepts a byte-order mark and CRLF line ends', async () => {
    const [first, second] = cases.filter((c) => c.text.length > 0);
    assert.ok(first !== undefined && second !== undefined);
    const run = await runInProcess(['--model', model], `\uFEFF${JSON.stringify(first.text)}\r\n${JSON.stringify(second.text)}\r\n`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${JSON.stringify(first.input_ids)}\n${JSON.stringify(second.input_ids)}\n`);
  });

  it('names the bad line of --decode input', async () => {
    const run = await runInProcess(['--model', model, '--decode'], `[1]\n"text, not ids"\n`);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '""\n');
    assert.match(run.stderr, /stdin:2: .*array of non-negative integer token ids/u);
  });

  it('names the directory and the files it looked for', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'llm-deploy-cli-tokenize-empty-'));
    const run = await runInProcess(['--model', empty], '');
    assert.equal(run.code, 2);
    assert.match(run.stderr, new RegExp(`${empty}.*no tokenizer files.*spiece\\.model, tokenizer\\.json`, 'u'));
  });

  it('rejects a corrupt spiece.model', async () => {
    const corrupt = mkdtempSync(join(tmpdir(), 'llm-deploy-cli-tokenize-corrupt-'));
    writeFileSync(join(corrupt, 'spiece.model'), 'this is not a protobuf \u0000\u00ff');
    const run = await runInProcess(['--model', corrupt], '"x"\n');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /spiece\.model: not a SentencePiece model/u);
  });

  it('reads the model from the environment through the settings loader: an empty AIP_STORAGE_URI is unset, MODEL_SOURCE_PATH then applies', async () => {
    const [first] = cases.filter((c) => c.text.length > 0);
    assert.ok(first !== undefined);
    const run = await runInProcess([], `${JSON.stringify(first.text)}\n`, { AIP_STORAGE_URI: '', MODEL_SOURCE_PATH: model });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${JSON.stringify(first.input_ids)}\n`);
  });

  it('asks for --model when neither the flag nor the environment names one', async () => {
    const run = await runInProcess([], '"x"\n');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--model: no model directory given/u);
  });
});

const causalFixtures = join(fixtures, 'causal-tokenizers');
const causalIds = z.array(z.number().int());

/** Text, Hugging Face's ids and its skip-special decode for every case of a decoder-only fixture. */
function causalCases(name: string): { text: string; ids: number[]; decoded: string }[] {
  const json: unknown = JSON.parse(readFileSync(join(causalFixtures, name, 'expected.json'), 'utf8'));
  const tiny = z.object({
    tokenization: z.array(
      z.object({ text: z.string(), input_ids: causalIds, rust_tokenizer_json: z.object({ decoded_skip_special: z.string() }) }),
    ),
  });
  const real = z.object({ cases: z.array(z.object({ text: z.string(), ids: causalIds, decoded_skip_special_transformers: z.string() })) });
  const parsedTiny = tiny.safeParse(json);
  if (parsedTiny.success) {
    return parsedTiny.data.tokenization.map((c) => ({
      text: c.text,
      ids: c.input_ids,
      decoded: c.rust_tokenizer_json.decoded_skip_special,
    }));
  }
  return real.parse(json).cases.map((c) => ({ text: c.text, ids: c.ids, decoded: c.decoded_skip_special_transformers }));
}

describe('llm-deploy tokenize on decoder-only models (every family, as Hugging Face gives)', () => {
  const qwen3 = mkdtempSync(join(tmpdir(), 'llm-deploy-cli-tokenize-qwen3-'));
  after(() => rmSync(qwen3, { recursive: true, force: true }));
  writeFileSync(join(qwen3, 'tokenizer.json'), gunzipSync(readFileSync(join(causalFixtures, 'qwen3', 'tokenizer.json.gz'))));
  copyFileSync(join(causalFixtures, 'qwen3', 'tokenizer_config.json'), join(qwen3, 'tokenizer_config.json'));
  const models: [string, string][] = [
    ['llama-gqa', join(causalFixtures, 'llama-gqa')],
    ['mistral-swa', join(causalFixtures, 'mistral-swa')],
    ['phi-tiny', join(causalFixtures, 'phi-tiny')],
    ['gpt2-tiny', join(causalFixtures, 'gpt2-tiny')],
    ['qwen3', qwen3],
  ];
  for (const [name, model] of models) {
    it(`${name}: encodes and decodes every case`, { timeout: 120_000 }, async () => {
      const cases = causalCases(name);
      for (const [args, input, expected] of [
        [['--model', model], cases.map((c) => c.text), cases.map((c) => c.ids)],
        [['--model', model, '--decode'], cases.map((c) => c.ids), cases.map((c) => c.decoded)],
      ] as const) {
        const run = await runInProcess(args, jsonLines(input));
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(
          run.stdout
            .trimEnd()
            .split('\n')
            .map((line): unknown => JSON.parse(line)),
          expected,
        );
      }
    });
  }
});
