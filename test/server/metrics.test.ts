// `GET /metrics`: names that do not double their prefix, promtool-clean, token metrics, and the README table.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { makeServer } from './support/make-server.js';

const PROMTOOL = 'promtool';

/** The exposition after a few generations, so histograms and counters have samples. */
async function scrape(): Promise<string> {
  const { server } = await makeServer({}, { tokenDelayMs: 2 });
  await server.app.inject({ method: 'POST', url: '/infer', payload: { instances: ['abcd', 'xyz'] } });
  await server.app.inject({ method: 'POST', url: '/generate', payload: { inputs: 'hello', parameters: { max_new_tokens: 3 } } });
  const response = await server.app.inject({ method: 'GET', url: '/metrics' });
  await server.close();
  assert.equal(response.statusCode, 200);
  return response.body;
}

/** `name -> type` from the `# TYPE` lines. */
function exposedTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1] ?? '', match[2] ?? '');
  return types;
}

/** `name -> type` from the README's metric tables (rows whose first cell is a `llm_deploy_` name). */
function documentedTypes(): Map<string, string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const types = new Map<string, string>();
  for (const match of readme.matchAll(/^\| `(llm_deploy_[a-z0-9_]+)` \| (counter|gauge|histogram|summary) \|/gm)) {
    assert.ok(!types.has(match[1] ?? ''), `README lists ${match[1]} twice`);
    types.set(match[1] ?? '', match[2] ?? '');
  }
  return types;
}

function sampleValue(text: string, series: string): number {
  const line = text.split('\n').find((entry) => entry.startsWith(`${series} `));
  assert.ok(line !== undefined, `${series} missing from /metrics`);
  return Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('prefixes the default process and Node.js metrics once', async () => {
    const types = exposedTypes(await scrape());
    assert.equal(types.get('llm_deploy_process_cpu_seconds_total'), 'counter');
    assert.equal(types.get('llm_deploy_nodejs_eventloop_lag_seconds'), 'gauge');
    assert.deepEqual(
      [...types.keys()].filter((name) => name.includes('process_process') || !name.startsWith('llm_deploy_')),
      [],
    );
  });

  it('passes `promtool check metrics` (install Debian package prometheus for promtool)', async () => {
    const text = await scrape();
    const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (result.error !== undefined) {
      assert.fail(`${PROMTOOL} not runnable (${result.error.message}): apt-get install prometheus (Debian's package ships promtool)`);
    }
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '');
    assert.equal(result.status, 0);
  });

  it('counts prompt tokens and observes the time between generated tokens', async () => {
    const text = await scrape();
    // char tokenizer: one id per character plus </s>; the test backend answers the prompt reversed, then </s>
    const prompts = ['abcd', 'xyz', 'hello'].map((prompt) => prompt.length + 1);
    assert.equal(
      sampleValue(text, 'llm_deploy_prompt_tokens_total'),
      prompts.reduce((sum, count) => sum + count, 0),
    );
    assert.equal(sampleValue(text, 'llm_deploy_request_prompt_tokens_count'), prompts.length);
    assert.equal(
      sampleValue(text, 'llm_deploy_request_prompt_tokens_sum'),
      prompts.reduce((sum, count) => sum + count, 0),
    );
    // one interval per generated token after the first: 5 + 4 tokens for /infer, 3 for /generate
    assert.equal(sampleValue(text, 'llm_deploy_inter_token_latency_seconds_count'), 4 + 3 + 2);
    const seconds = sampleValue(text, 'llm_deploy_inter_token_latency_seconds_sum');
    assert.ok(seconds > 0 && seconds < 10, `inter-token latency sum ${seconds} s`);
  });

  it('is documented in the README: every exposed metric with its type, and nothing else', async () => {
    const exposed = exposedTypes(await scrape());
    const documented = documentedTypes();
    const sorted = (types: Map<string, string>): string[] => [...types].map(([name, type]) => `${name} ${type}`).sort();
    assert.deepEqual(sorted(documented), sorted(exposed));
  });
});
