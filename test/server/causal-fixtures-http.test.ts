// Every decoder-only reference fixture through the HTTP server's own loading path (native backend +
// tokenizer.json): prompts sent as text must tokenize to the fixture's ids, and greedy and beam answers
// must equal transformers 4.36's ids and text (expected.json), one by one and all in one request.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LlmDeployServer } from '../../src/server/index.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { startNativeServer } from './support/native-server.js';

interface Generated {
  readonly sequence: readonly number[];
  readonly new_tokens: readonly number[];
  readonly decoded_new_skip_special: string;
  readonly decoded_full?: string;
}
interface FixtureCase {
  readonly text: string;
  readonly input_ids: readonly number[];
  readonly greedy: Generated;
  readonly beam: Generated;
}

const FIXTURES = ['llama-gqa', 'llama-tied-linear', 'mistral-swa', 'phi-tiny', 'gpt2-tiny'];
// byte-level BPE decodes special tokens in place, so its skip-special decode is the full decode without them
const BYTE_LEVEL = new Set(['phi-tiny', 'gpt2-tiny']);
const withoutSpecials = (text: string): string => text.replaceAll('<|endoftext|>', '');
const GREEDY = { max_new_tokens: 20 };
const BEAM = { max_new_tokens: 20, num_beams: 4, length_penalty: 1.0, early_stopping: false };

async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

async function continuations(base: string, prompts: readonly string[], parameters: object): Promise<unknown> {
  const answer = await postJson(`${base}/infer`, { instances: prompts, parameters: { ...parameters, return_full_text: false } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

for (const name of FIXTURES) {
  const modelDir = fileURLToPath(new URL(`../fixtures/causal/${name}`, import.meta.url));
  const cases = (JSON.parse(readFileSync(`${modelDir}/expected.json`, 'utf8')) as { cases: FixtureCase[] }).cases;

  describe(`decoder-only fixture ${name} through the HTTP server`, () => {
    let server: LlmDeployServer;
    let base: string;
    before(async () => {
      ({ server, base } = await startNativeServer(modelDir));
    });
    after(() => server.close());

    it('POST /tokenize gives the fixture input_ids for every prompt text', async () => {
      for (const item of cases) {
        const answer = await postJson(`${base}/tokenize`, { prompt: item.text });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.deepEqual((answer.body as { tokens: number[] }).tokens, item.input_ids, JSON.stringify(item.text));
      }
    });

    it('KServe generate: greedy and beam new ids equal the reference, prompt by prompt', async () => {
      for (const item of cases) {
        for (const [mode, parameters] of [
          ['greedy', { max_tokens: 20, exclude_input_in_output: true }],
          ['beam', { max_tokens: 20, beam_width: 4, exclude_input_in_output: true }],
        ] as const) {
          const answer = await postJson(`${base}/v2/models/${encodeURIComponent(name)}/generate`, {
            text_input: item.text,
            parameters,
          });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
          assert.equal(
            (answer.body as { text_output: string }).text_output,
            item[mode].decoded_new_skip_special,
            `${mode} ${JSON.stringify(item.text)}`,
          );
        }
      }
    });

    it('POST /infer: greedy and beam continuation text equal the reference, one by one', async () => {
      for (const item of cases) {
        assert.deepEqual(
          await continuations(base, [item.text], GREEDY),
          { predictions: [item.greedy.decoded_new_skip_special] },
          item.text,
        );
        assert.deepEqual(await continuations(base, [item.text], BEAM), { predictions: [item.beam.decoded_new_skip_special] }, item.text);
      }
    });

    it('POST /infer: all prompts in one request equal the reference (and so one by one)', async () => {
      const texts = cases.map((item) => item.text);
      assert.deepEqual(await continuations(base, texts, GREEDY), {
        predictions: cases.map((item) => item.greedy.decoded_new_skip_special),
      });
      assert.deepEqual(await continuations(base, texts, BEAM), { predictions: cases.map((item) => item.beam.decoded_new_skip_special) });
    });

    it('POST /infer without return_full_text answers the decoded reference sequence, prompt included', async () => {
      const answer = await postJson(`${base}/infer`, { instances: cases.map((item) => item.text), parameters: GREEDY });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      // the original server answered decode(sequence, skip_special_tokens=True); the fixture holds only the
      // decode WITH special tokens, so the reference ids go through the tokenizer the server loaded
      const tokenizer = await loadTokenizer(modelDir);
      const wanted = cases.map((item) => tokenizer.decode(item.greedy.sequence, { skipSpecialTokens: true }));
      cases.forEach((item, row) => {
        if (BYTE_LEVEL.has(name)) assert.equal(wanted[row], withoutSpecials(item.greedy.decoded_full ?? ''));
      });
      assert.deepEqual(answer.body, { predictions: wanted });
    });
  });
}
