// `llm-deploy convert --model hf://...` reads the Hub the way serve and fetch do (HF_ENDPOINT, HF_TOKEN).
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMPLETION_MARKER } from '../../src/storage/index.js';
import { runMain } from '../cli/run-cli.js';
import { startFakeHub } from '../storage/fake-hub-server.js';

const FIXTURE = new URL('../fixtures/t5-tiny-relu/', import.meta.url).pathname;

describe('llm-deploy convert from the Hub (CLI, loopback Hub)', () => {
  it('converts a private hf:// repo read with HF_TOKEN through HF_ENDPOINT', async () => {
    const hub = await startFakeHub();
    const work = await mkdtemp(join(tmpdir(), 'llm-deploy-convert-hub-'));
    try {
      const files: Record<string, { data: Buffer; lfs: boolean }> = {};
      for (const name of await readdir(FIXTURE)) {
        if (name !== 'expected.json')
          files[name] = { data: await readFile(join(FIXTURE, name)), lfs: /\.(safetensors|bin|model)$/.test(name) };
      }
      hub.addRepo('acme/t5-tiny-relu', files, { private: true, tokens: ['hf_acme'] });
      const env = { HOME: work, LLM_DEPLOY_CACHE: join(work, 'cache'), HF_ENDPOINT: hub.endpoint, HF_TOKEN: 'hf_acme' };
      const out = join(work, 'ft');
      const run = await runMain(['convert', '--model', 'hf://acme/t5-tiny-relu', '--to', 'fastertransformer', '--out', out], '', env);
      assert.equal(run.code, 0, run.stderr);
      assert.ok((await readdir(out)).includes(COMPLETION_MARKER));
      assert.ok(hub.seen.some((request) => request.authorization === 'Bearer hf_acme'));
    } finally {
      await hub.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
