import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { convertToFasterTransformer, convertToOnnxDirectory } from '../../src/convert/index.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/t5-tiny-relu');
const expectedSchema = z.object({
  cases: z.array(z.object({ input_ids: z.array(z.number()), greedy: z.object({ sequence: z.array(z.number()) }) })),
});

/** Starts `llm-deploy serve --model DIR` on a free port and resolves its URL once ready. */
async function serve(model: string, children: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, ['bin/llm-deploy.js', 'serve', '--model', model, '--host', '127.0.0.1', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (typeof entry['url'] === 'string') resolve(entry['url']);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
  });
  for (let tries = 0; tries < 600; tries += 1) {
    if ((await fetch(`${url}/health/ready`)).status === 200) return url;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`serve never became ready: ${stderr}`);
}

describe('serve loads converted layouts (FasterTransformer repository root, ONNX directory)', () => {
  let work = '';
  const children: ChildProcess[] = [];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'llm-deploy-serve-converted-'));
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  for (const layout of ['fastertransformer', 'onnx'] as const) {
    it(`${layout}: /infer gives the Hugging Face greedy text`, async () => {
      const destination = join(work, layout);
      if (layout === 'fastertransformer')
        await convertToFasterTransformer({ source: FIXTURE, destination, tensorParallel: 2, cacheDir: join(work, 'cache') });
      else await convertToOnnxDirectory({ source: FIXTURE, destination, cacheDir: join(work, 'cache') });
      const expected = expectedSchema.parse(JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')));
      const tokenizer = await loadTokenizer(FIXTURE);
      const item = expected.cases[0];
      assert.ok(item !== undefined);
      const prompt = tokenizer.decode(item.input_ids, { skipSpecialTokens: true });
      // the prompt must round-trip to the same ids, or the comparison below would test the tokenizer instead
      assert.deepEqual(tokenizer.encode(prompt), item.input_ids);
      const url = await serve(destination, children);
      const response = await fetch(`${url}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: [prompt], parameters: { max_new_tokens: 20 } }),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { predictions: string[] };
      assert.deepEqual(body.predictions, [tokenizer.decode(item.greedy.sequence, { skipSpecialTokens: true })]);
    });
  }
});
