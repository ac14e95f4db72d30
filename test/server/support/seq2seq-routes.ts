// The route checks every encoder-decoder fixture passes over a real socket (a checkpoint, or a directory
// `convert --to onnx` wrote): /infer greedy and beam text alone and batched, and /v1/completions, against the
// fixture's expected.json (made by Hugging Face transformers 4.36).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { z } from 'zod';
import type { LlmDeployServer } from '../../../src/server/index.js';
import { startNativeServer } from './native-server.js';

const sequence = z.array(z.number().int());

/** One case of a seq2seq fixture's expected.json: the prompt, its ids, and the reference greedy and beam outputs. */
export const seq2seqCaseSchema = z.object({
  text: z.string(),
  input_ids: sequence,
  greedy: z.object({ sequence, decoded_skip_special: z.string() }),
  beam: z.object({ sequence, decoded_skip_special: z.string() }),
});

/** A case of {@link seq2seqCaseSchema}. */
export type Seq2SeqCase = z.infer<typeof seq2seqCaseSchema>;

/** POSTs `body` as JSON and returns the status and the parsed answer. */
export async function postJson(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/**
 * Starts a server on the model directory `dirOf` gives before the enclosing suite's tests and closes it
 * after them; the returned function gives the server's base URL.
 */
export function serveDuringSuite(dirOf: () => string, options: { readonly maxInputTokens: number }): () => string {
  let server: LlmDeployServer | undefined;
  let base = '';
  before(async () => {
    ({ server, base } = await startNativeServer(dirOf(), { maxInputTokens: options.maxInputTokens }));
  });
  after(() => server?.close());
  return () => base;
}

/** Registers the route tests every seq2seq fixture passes, on the server `baseOf` names. */
export function itServesSeq2SeqRoutes(baseOf: () => string, cases: readonly Seq2SeqCase[]): void {
  const infer = (instances: readonly string[], parameters: object): Promise<{ status: number; body: unknown }> =>
    postJson(`${baseOf()}/infer`, { instances, parameters: { max_new_tokens: 20, ...parameters } });

  it('POST /infer: the six inputs in one request (a padded batch) give the Hugging Face greedy text', async () => {
    const response = await infer(
      cases.map((item) => item.text),
      {},
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body, { predictions: cases.map((item) => item.greedy.decoded_skip_special) });
  });

  it('POST /infer one input per request: greedy and num_beams 4 give the Hugging Face text', async () => {
    for (const item of cases) {
      for (const [beams, reference] of [
        [1, item.greedy.decoded_skip_special],
        [4, item.beam.decoded_skip_special],
      ] as const) {
        const response = await infer([item.text], { num_beams: beams });
        assert.deepEqual(response.body, { predictions: [reference] }, `${item.text.slice(0, 40)} beams ${beams}`);
      }
    }
  });

  it('POST /infer with num_beams 4: the six inputs in one request equal them one by one', async () => {
    const response = await infer(
      cases.map((item) => item.text),
      { num_beams: 4 },
    );
    assert.deepEqual(response.body, { predictions: cases.map((item) => item.beam.decoded_skip_special) });
  });

  it('POST /v1/completions (temperature 0) gives the Hugging Face greedy text', async () => {
    for (const item of cases.slice(0, 2)) {
      const response = await postJson(`${baseOf()}/v1/completions`, { prompt: item.text, max_tokens: 20, temperature: 0 });
      const body = z.object({ choices: z.array(z.object({ text: z.string() })) }).parse(response.body);
      assert.equal(body.choices[0]?.text, item.greedy.decoded_skip_special, item.text);
    }
  });
}
