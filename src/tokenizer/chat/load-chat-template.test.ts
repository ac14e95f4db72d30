import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { LlmDeployError } from '../../config/index.js';
import { fixtureDir, readChatFixtures } from './__fixtures__/chat-fixtures.js';
import { readHfTokenizerConfig } from '../hf-tokenizer-config.js';
import { loadChatTemplate } from './load-chat-template.js';

const fixtures = readChatFixtures();
const scratch = mkdtempSync(join(tmpdir(), 'chat-template-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A model directory holding the family's tokenizer files (gunzipped where stored gzipped). */
function familyDir(family: string): string {
  const dir = join(scratch, family);
  cpSync(fixtureDir(family), dir, { recursive: true });
  const gz = join(dir, 'tokenizer_config.json.gz');
  if (existsSync(gz)) writeFileSync(join(dir, 'tokenizer_config.json'), gunzipSync(readFileSync(gz)));
  return dir;
}

function dirWith(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  cpSync(fixtureDir('llama-gqa'), dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

describe('loadChatTemplate', () => {
  for (const family of ['qwen3', 'gemma3', 'llama3', 'llama-gqa']) {
    it(`${family}: finds the template of tokenizer_config.json and renders as transformers`, async () => {
      const dir = familyDir(family);
      const template = await loadChatTemplate(dir);
      assert.ok(template !== undefined);
      const fixture = fixtures.templates[family];
      for (const render of fixture?.renders ?? []) {
        if (render.rendered === undefined) continue;
        const messages = fixtures.conversations.get(render.conversation) ?? [];
        assert.equal(template.render(messages, { addGenerationPrompt: render.add_generation_prompt }), render.rendered);
      }
      const passed = fixture?.special_tokens_map_passed;
      if (passed !== undefined) assert.deepEqual((await readHfTokenizerConfig(dir)).specialTokensMap, passed);
    });
  }

  it('special_tokens_map.json wins over tokenizer_config.json, and {content} objects are read', async () => {
    const dir = dirWith('override', { 'special_tokens_map.json': JSON.stringify({ eos_token: { content: '<|im_end|>', lstrip: false } }) });
    const tokens = (await readHfTokenizerConfig(dir)).specialTokensMap;
    assert.equal(tokens.eos_token, '<|im_end|>');
    assert.equal(tokens.bos_token, '<s>');
  });

  it('chat_template.jinja wins over tokenizer_config.json, its one trailing newline dropped', async () => {
    const dir = dirWith('jinja-file', { 'chat_template.jinja': '{{ bos_token }}{% for m in messages %}[{{ m.content }}]{% endfor %}\n' });
    const template = await loadChatTemplate(dir);
    assert.equal(template?.file, join(dir, 'chat_template.jinja'));
    assert.equal(template?.render([{ role: 'user', content: 'hi' }], { addGenerationPrompt: false }), '<s>[hi]');
  });

  it('the list form uses the template named default', async () => {
    const config = {
      chat_template: [
        { name: 'tool_use', template: 'tools' },
        { name: 'default', template: 'plain:{{ messages[0].content }}' },
      ],
    };
    const template = await loadChatTemplate(dirWith('named', { 'tokenizer_config.json': JSON.stringify(config) }));
    assert.equal(template?.render([{ role: 'user', content: 'x' }], { addGenerationPrompt: false }), 'plain:x');
  });

  it('a list without default is refused at load, naming what it has', async () => {
    const dir = dirWith('no-default', { 'tokenizer_config.json': JSON.stringify({ chat_template: [{ name: 'rag', template: 'x' }] }) });
    await assert.rejects(
      loadChatTemplate(dir),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_CHAT_TEMPLATE_INVALID' && error.given === 'rag',
    );
  });

  it('a template that does not parse fails its renders with a 500, not the load', async () => {
    const template = await loadChatTemplate(dirWith('broken', { 'chat_template.jinja': '{% for m in messages %}{{ m.content }}' }));
    assert.ok(template !== undefined);
    assert.throws(
      () => template.render([{ role: 'user', content: 'x' }], { addGenerationPrompt: true }),
      (error: unknown) => LlmDeployError.isInstance(error) && error.code === 'TOKENIZER_CHAT_TEMPLATE_INVALID' && error.httpStatus === 500,
    );
  });

  it('no template anywhere is undefined (T5)', async () => {
    const dir = dirWith('t5-like', { 'tokenizer_config.json': JSON.stringify({ eos_token: '</s>', extra_ids: 100 }) });
    assert.equal(await loadChatTemplate(dir), undefined);
    assert.equal(await loadChatTemplate(join(scratch, 'missing-dir-is-fine')), undefined);
  });
});
