// End to end with the real native backend and tokenizer on the tiny T5 fixture: every route's text
// must equal what Hugging Face generated (expected.json), over a real socket.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { LlmDeployServer } from '../../src/server/index.js';
import { startNativeServer } from './support/native-server.js';

const MODEL_DIR = fileURLToPath(new URL('../fixtures/t5-tiny-relu', import.meta.url));

interface ExpectedCase {
  text: string;
  input_ids: number[];
  greedy: { sequence: number[]; decoded_skip_special: string };
  beam: { sequence: number[]; decoded_skip_special: string };
}
const expected = JSON.parse(readFileSync(`${MODEL_DIR}/expected.json`, 'utf8')) as { cases: ExpectedCase[] };
const cases = expected.cases;

async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: () => Promise<unknown>; text: () => Promise<string> }> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('native backend end to end (t5-tiny-relu)', () => {
  let server: LlmDeployServer;
  let base: string;
  before(async () => {
    ({ server, base } = await startNativeServer(MODEL_DIR));
  });
  after(() => server.close());

  it('POST /infer: all cases in one request give Hugging Face greedy text', async () => {
    const response = await postJson(`${base}/infer`, { instances: cases.map((item) => item.text), parameters: { max_new_tokens: 20 } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { predictions: string[] };
    assert.deepEqual(
      body.predictions,
      cases.map((item) => item.greedy.decoded_skip_special),
    );
  });

  it('POST /infer with num_beams 4 gives Hugging Face beam text', async () => {
    const response = await postJson(`${base}/infer`, {
      instances: cases.slice(0, 2).map((item) => item.text),
      config: { max_new_tokens: 20, num_beams: 4, length_penalty: 1.0, early_stopping: false },
    });
    const body = (await response.json()) as { predictions: string[] };
    assert.deepEqual(
      body.predictions,
      cases.slice(0, 2).map((item) => item.beam.decoded_skip_special),
    );
  });

  it('KServe v2 output_ids equal the reference ids without the start token', async () => {
    const rows = cases.slice(0, 3);
    const width = Math.max(...rows.map((item) => item.input_ids.length));
    const response = await postJson(`${base}/v2/models/fastertransformer/infer`, {
      inputs: [
        {
          name: 'input_ids',
          datatype: 'UINT32',
          shape: [rows.length, width],
          data: rows.flatMap((item) => [...item.input_ids, ...Array<number>(width - item.input_ids.length).fill(0)]),
        },
        { name: 'sequence_length', datatype: 'UINT32', shape: [rows.length, 1], data: rows.map((item) => item.input_ids.length) },
        { name: 'max_output_len', datatype: 'UINT32', shape: [rows.length, 1], data: rows.map(() => 20) },
      ],
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { outputs: { name: string; shape: number[]; data: number[] }[] };
    const ids = body.outputs.find((output) => output.name === 'output_ids');
    const lengths = body.outputs.find((output) => output.name === 'sequence_length');
    const longest = ids?.shape[2] ?? 0;
    rows.forEach((item, row) => {
      const reference = item.greedy.sequence.slice(1);
      assert.equal(lengths?.data[row], reference.length);
      assert.deepEqual(ids?.data.slice(row * longest, row * longest + reference.length), reference);
    });
  });

  it('POST /generate_stream: the deltas add up to the reference text', async () => {
    for (const item of cases) {
      const response = await postJson(`${base}/generate_stream`, { inputs: item.text, parameters: { max_new_tokens: 20 } });
      const events = (await response.text())
        .split('\n\n')
        .filter((block) => block.startsWith('data:'))
        .map((block) => JSON.parse(block.slice(5)) as { token: { text: string }; generated_text: string | null });
      assert.equal(events.at(-1)?.generated_text, item.greedy.decoded_skip_special);
      assert.equal(events.map((event) => event.token.text).join(''), item.greedy.decoded_skip_special, item.text);
    }
  });

  it('stop sequences cut the reference text and end the generation early', async () => {
    const item = cases[0];
    assert.ok(item !== undefined);
    const reference = item.greedy.decoded_skip_special;
    const stop = reference.split(' ')[2] ?? '';
    assert.ok(stop.length > 0);
    const completion = (await (
      await postJson(`${base}/v1/completions`, { prompt: item.text, max_tokens: 20, temperature: 0, stop })
    ).json()) as {
      choices: { text: string; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    assert.equal(completion.choices[0]?.text, reference.slice(0, reference.indexOf(stop)));
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.ok(completion.usage.completion_tokens < 20);
  });

  it('POST /v1/completions (temperature 0) and /generate agree with the reference', async () => {
    const item = cases[5];
    assert.ok(item !== undefined);
    const completion = (await (await postJson(`${base}/v1/completions`, { prompt: item.text, max_tokens: 20, temperature: 0 })).json()) as {
      choices: { text: string; finish_reason: string }[];
    };
    assert.equal(completion.choices[0]?.text, item.greedy.decoded_skip_special);
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    const generated = (await (await postJson(`${base}/generate`, { inputs: item.text, parameters: { max_new_tokens: 20 } })).json()) as {
      generated_text: string;
    };
    assert.equal(generated.generated_text, item.greedy.decoded_skip_special);
  });
});
