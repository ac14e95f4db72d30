// /v1/chat/completions, /tokenize and /detokenize over a real socket with the bundled demo T5 on
// the native engine, driven by the official `openai` client. T5 has no chat template: the prompt is
// the last user message. Expected text and ids are PyTorch's (test/demo-model/__fixtures__).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { loadNativeBackend } from '../../src/engine/index.js';
import { createServer, type LlmDeployServer } from '../../src/server/index.js';
import { loadChatTemplate, loadTokenizer } from '../../src/tokenizer/index.js';
import { DEMO_MODEL_DIR, readTorchGreedyFixture, type TorchGreedyFixture } from '../demo-model/torch-fixture.js';

const EOS = 1;

/** The `data:` payloads of an SSE body, `[DONE]` kept as a string. */
function sseData(body: string): string[] {
  return body
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data:')))
    .filter((line): line is string => line !== undefined)
    .map((line) => line.slice(5).trim());
}

describe('chat completions with the demo T5 (no chat template)', () => {
  let server: LlmDeployServer;
  let base: string;
  let client: OpenAI;
  let items: TorchGreedyFixture['items'];
  let maxTokens: number;

  before(async () => {
    const fixture = await readTorchGreedyFixture();
    // one item per task, and only ones that ended on </s> within the limit
    items = ['number to words', 'words to number', 'date'].flatMap((task) =>
      fixture.items.filter((item) => item.task === task && item.output_ids.at(-1) === EOS).slice(0, 1),
    );
    maxTokens = fixture.max_new_tokens;
    server = createServer({
      host: '127.0.0.1',
      port: 0,
      modelName: 'demo-t5',
      backend: loadNativeBackend({ modelDir: DEMO_MODEL_DIR, settings: { threads: 1 } }),
      tokenizer: loadTokenizer(DEMO_MODEL_DIR),
      chatTemplate: loadChatTemplate(DEMO_MODEL_DIR),
      logger: false,
    });
    base = await server.listen();
    await server.modelLoaded;
    client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => server.close());

  it('answers PyTorch greedy text for the last user message, with usage', async () => {
    for (const item of items) {
      const completion = await client.chat.completions.create({
        model: 'demo-t5',
        messages: [
          { role: 'system', content: 'ignored by T5' },
          { role: 'user', content: [{ type: 'text', text: item.input }] },
        ],
        temperature: 0,
        max_completion_tokens: maxTokens,
      });
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.choices.length, 1);
      assert.equal(completion.choices[0]?.message.role, 'assistant');
      assert.equal(completion.choices[0]?.message.content, item.output_text);
      assert.equal(completion.choices[0]?.finish_reason, 'stop');
      assert.deepEqual(completion.usage && [completion.usage.prompt_tokens, completion.usage.completion_tokens], [
        item.input_ids.length,
        item.output_ids.length,
      ]);
    }
  });

  it('streams the same text through the client, usage last', async () => {
    const item = items[0];
    assert.ok(item !== undefined);
    const stream = await client.chat.completions.create({
      model: 'demo-t5',
      messages: [{ role: 'user', content: item.input }],
      temperature: 0,
      max_tokens: maxTokens,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let role: string | undefined;
    const reasons: (string | null)[] = [];
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      for (const choice of chunk.choices) {
        role ??= choice.delta.role ?? undefined;
        text += choice.delta.content ?? '';
        reasons.push(choice.finish_reason);
      }
      if (chunk.usage != null) usage = chunk.usage;
    }
    assert.equal(role, 'assistant');
    assert.equal(text, item.output_text);
    assert.equal(reasons.at(-1), 'stop');
    assert.equal(usage?.completion_tokens, item.output_ids.length);
    assert.equal(usage?.prompt_tokens, item.input_ids.length);
  });

  it('the raw stream is SSE ending in data: [DONE], the usage chunk just before it with no choices', async () => {
    const item = items[1] ?? items[0];
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: [{ role: 'user', content: item?.input }],
        temperature: 0,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const data = sseData(await response.text());
    assert.equal(data.at(-1), '[DONE]');
    assert.equal(data.filter((entry) => entry === '[DONE]').length, 1);
    const usageChunk: unknown = JSON.parse(data.at(-2) ?? '{}');
    assert.ok(typeof usageChunk === 'object' && usageChunk !== null && 'choices' in usageChunk && 'usage' in usageChunk);
    assert.deepEqual(usageChunk.choices, []);
  });

  it('logprobs: one entry per generated non-special token, each a log-probability', async () => {
    const item = items[0];
    assert.ok(item !== undefined);
    const completion = await client.chat.completions.create({
      messages: [{ role: 'user', content: item.input }],
      model: 'demo-t5',
      temperature: 0,
      logprobs: true,
      max_tokens: maxTokens,
    });
    const content = completion.choices[0]?.logprobs?.content ?? [];
    assert.equal(content.length, item.output_ids.filter((id) => id !== EOS).length);
    for (const entry of content) assert.ok(entry.logprob <= 0 && Number.isFinite(entry.logprob));
  });

  it('n choices with a seed are reproducible', async () => {
    const request = {
      model: 'demo-t5',
      messages: [{ role: 'user' as const, content: items[0]?.input ?? '' }],
      n: 3,
      seed: 11,
      temperature: 1.5,
      max_tokens: 8,
    };
    const first = await client.chat.completions.create(request);
    const second = await client.chat.completions.create(request);
    assert.equal(first.choices.length, 3);
    assert.deepEqual(
      first.choices.map((choice) => choice.message.content),
      second.choices.map((choice) => choice.message.content),
    );
  });

  it('refuses tools, JSON output and a conversation that does not end with the user, as 400s', async () => {
    const messages = [{ role: 'user' as const, content: 'x' }];
    const refusals: [Promise<unknown>, RegExp][] = [
      [client.chat.completions.create({ model: 'demo-t5', messages, tools: [{ type: 'function', function: { name: 'f' } }] }), /tools/],
      [client.chat.completions.create({ model: 'demo-t5', messages, response_format: { type: 'json_object' } }), /response_format/],
      [
        client.chat.completions.create({ model: 'demo-t5', messages: [...messages, { role: 'assistant', content: 'y' }] }),
        /messages\[1\]\.role/,
      ],
      [client.chat.completions.create({ model: 'other', messages }), /does not exist/],
    ];
    for (const [call, pattern] of refusals) {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError, String(error));
        assert.ok(error.status === 400 || error.status === 404, String(error.status));
        assert.match(error.message, pattern);
        return true;
      });
    }
  });

  it('GET /v1/models/{id} through the client', async () => {
    const model = await client.models.retrieve('demo-t5');
    assert.equal(model.id, 'demo-t5');
    await assert.rejects(client.models.retrieve('nope'), (error: unknown) => error instanceof OpenAI.NotFoundError);
  });

  it('POST /tokenize: messages give the ids the chat route feeds (HF ids of the last user message), prompt likewise', async () => {
    const item = items[0];
    assert.ok(item !== undefined);
    const post = async (path: string, body: unknown): Promise<unknown> => {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200, path);
      return response.json();
    };
    const chat = await post('/tokenize', { model: 'demo-t5', messages: [{ role: 'user', content: item.input }] });
    assert.deepEqual(chat, { count: item.input_ids.length, max_model_len: chatMaxLen(chat), tokens: item.input_ids });
    const prompt = await post('/tokenize', { prompt: item.input });
    assert.deepEqual(prompt, chat);
    const bare = await post('/tokenize', { prompt: item.input, add_special_tokens: false });
    assert.deepEqual(bare, { ...chat, count: item.input_ids.length - 1, tokens: item.input_ids.slice(0, -1) });
    assert.deepEqual(await post('/detokenize', { tokens: item.output_ids }), { prompt: `${item.output_text}</s>` });
    const outside = await fetch(`${base}/detokenize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tokens: [5, 10_000_000] }),
    });
    assert.equal(outside.status, 400);
    const refused: unknown = await outside.json();
    assert.ok(
      typeof refused === 'object' && refused !== null && 'error' in refused && typeof refused.error === 'object',
      JSON.stringify(refused),
    );
  });
});

function chatMaxLen(body: unknown): number {
  const value = typeof body === 'object' && body !== null && 'max_model_len' in body ? body.max_model_len : undefined;
  assert.ok(typeof value === 'number' && value > 0);
  return value;
}
