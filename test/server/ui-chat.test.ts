// The /ui chat mode in chromium: offered only when the model has a chat template; each turn sends the
// whole conversation (rendered by the template, transformers 4.36's ChatML here) and streams the answer.
// The test backend answers the prompt reversed, so the page's text shows exactly what the engine got.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { createServer, type LlmDeployServer } from '../../src/server/index.js';
import { compileChatTemplate, type ChatTemplate } from '../../src/tokenizer/index.js';
import { readChatFixtures } from '../../src/tokenizer/chat/__fixtures__/chat-fixtures.js';
import { charTokenizer } from './support/char-tokenizer.js';
import { launchChromium, type TestBrowser } from './support/chromium.js';
import { TestBackend } from './support/test-backend.js';

const chatml = readChatFixtures().templates['llama-gqa'];

async function startServer(chatTemplate?: ChatTemplate): Promise<{ server: LlmDeployServer; backend: TestBackend; base: string }> {
  const backend = new TestBackend({ maxInputTokens: 4096 });
  const server = createServer({
    host: '127.0.0.1',
    port: 0,
    backend,
    tokenizer: charTokenizer(),
    ...(chatTemplate === undefined ? {} : { chatTemplate }),
    logger: false,
  });
  const base = await server.listen();
  await server.modelLoaded;
  return { server, backend, base };
}

describe('/ui chat mode in chromium', () => {
  let browser: TestBrowser | undefined;
  let context: BrowserContext;
  const template = compileChatTemplate(chatml?.template ?? '', { file: 'llama-gqa/tokenizer_config.json', specialTokens: {} });
  before(async () => {
    browser = await launchChromium('llm-deploy-ui-chat-');
    context = browser.context;
  });
  after(() => browser?.close());

  it('holds a two-turn conversation through the template', async () => {
    const { server, backend, base } = await startServer(template);
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${base}/ui`);
      await page.locator('#chat-panel:not([hidden])').waitFor({ timeout: 10_000 });
      await page.fill('#max-new-tokens', '200');
      await page.fill('#chat-system', 'Be brief.');
      await page.fill('#chat-input', 'Hi');
      await page.click('#chat-send');
      await page.locator('#chat-log li[data-role="assistant"][data-state="done"]').first().waitFor({ timeout: 10_000 });
      const first = [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ];
      const firstAnswer = [...template.render(first, { addGenerationPrompt: true })].reverse().join('');
      assert.equal(await page.locator('#chat-log li[data-role="assistant"]').first().textContent(), firstAnswer);
      await page.fill('#chat-input', 'Again');
      await page.click('#chat-send');
      await page.locator('#chat-log li[data-role="assistant"][data-state="done"]').nth(1).waitFor({ timeout: 10_000 });
      const second = [...first, { role: 'assistant', content: firstAnswer }, { role: 'user', content: 'Again' }];
      const rendered = template.render(second, { addGenerationPrompt: true });
      assert.deepEqual(
        backend.requests.at(-1)?.inputIds,
        [...rendered].map((char) => (char.codePointAt(0) ?? 0) + 3),
      );
      assert.equal(await page.locator('#chat-log li').count(), 4);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      await server.close();
    }
  });

  it('is not offered for a model without a template', async () => {
    const { server, base } = await startServer();
    try {
      const page = await context.newPage();
      const modelInfo = page.waitForResponse((response) => response.url().endsWith('/ui/model.json'));
      await page.goto(`${base}/ui`);
      assert.deepEqual(await (await modelInfo).json(), { chatTemplate: false });
      await page.waitForTimeout(200);
      assert.equal(await page.locator('#chat-panel').isHidden(), true);
      await page.close();
    } finally {
      await server.close();
    }
  });
});
