// `llm-deploy serve` reads the model's chat template at load: a model directory with a
// chat_template.jinja gets its conversations rendered by it on /tokenize and /v1/chat/completions.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'serve-chat-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

describe('llm-deploy serve with a chat template', () => {
  it('renders conversations with chat_template.jinja', async () => {
    const model = join(scratch, 'model');
    cpSync(join(ROOT, 'test/fixtures/t5-tiny-relu'), model, { recursive: true });
    writeFileSync(join(model, 'chat_template.jinja'), '{% for m in messages %}{{ m.role }}: {{ m.content }}{{ eos_token }}{% endfor %}\n');
    const child = spawn(
      process.execPath,
      ['bin/llm-deploy.js', 'serve', '--model', model, '--host', '127.0.0.1', '--port', '0', '--threads', '1'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const entry: unknown = JSON.parse(line);
          if (typeof entry === 'object' && entry !== null && 'url' in entry && typeof entry.url === 'string') resolve(entry.url);
        });
        child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
      });
      for (let tries = 0; (await fetch(`${url}/health/ready`)).status !== 200 && tries < 300; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const messages = [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'yo' },
      ];
      const rendered = await post(`${url}/tokenize`, { prompt: 'user: hi</s>assistant: yo</s>', add_special_tokens: false });
      const chat = await post(`${url}/tokenize`, { messages });
      assert.equal(chat.status, 200);
      assert.deepEqual(chat.json, rendered.json);
      // the plain rule would refuse a conversation ending with the assistant; the template takes it
      const completion = await post(`${url}/v1/chat/completions`, { messages, max_tokens: 2, temperature: 0 });
      assert.equal(completion.status, 200, JSON.stringify(completion.json));
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
